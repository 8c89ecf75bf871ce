//! Where command output goes (stdout or `--output FILE`), JSON, and the number formatting
//! of tables; tables, CSV and lines for people are in `render`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::Context;

/// Opens the destination of a command's data.
pub fn open(path: Option<&Path>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(path) => {
            Box::new(BufWriter::new(File::create(path).with_context(|| {
                format!("cannot create `{}`", path.display())
            })?))
        }
        None => Box::new(stdout()),
    })
}

/// Standard output, buffered: a command's data is written in large blocks, not flushed at
/// every line. Call `flush` at the end to see write errors.
pub fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::new(io::stdout().lock())
}

/// Writes `value` as pretty JSON and a newline, straight to `out` (no copy of the whole
/// document in memory).
pub fn json(out: &mut dyn Write, value: &impl serde::Serialize) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// A quantity for a table: grouped thousands above 1,000, up to 4 significant decimals
/// below.
pub fn quantity(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x.abs() >= 1000.0 {
        lifeline_text::thousands(x)
    } else {
        let text = format!("{x:.4}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        if text == "-0" {
            "0".to_owned()
        } else {
            text.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::quantity;

    #[test]
    fn quantities_read_well() {
        for (x, expected) in [
            (0.0, "0"),
            (2.25, "2.25"),
            (1.285_714_285, "1.2857"),
            (999.0, "999"),
            (125_000.0, "125,000"),
            (-3_861.44, "-3,861"),
            (-0.000_01, "0"),
        ] {
            assert_eq!(quantity(x), expected, "{x}");
        }
    }
}
