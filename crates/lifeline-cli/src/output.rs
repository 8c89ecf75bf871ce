//! Where command output goes (stdout or `--output FILE`), and number formatting shared by
//! the renderers.

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
        let rounded = format!("{:.0}", x.abs());
        let mut grouped = String::new();
        for (i, digit) in rounded.chars().enumerate() {
            if i > 0 && (rounded.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        if x < 0.0 {
            format!("-{grouped}")
        } else {
            grouped
        }
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

/// Writes rows as a left-aligned text table with a header and a rule.
pub fn table(
    out: &mut dyn Write,
    header: &[&str],
    rows: &[Vec<String>],
    right: &[bool],
) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            let last = i + 1 == cells.len();
            if right.get(i).copied().unwrap_or(false) {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                if !last {
                    text.push_str(&" ".repeat(pad));
                }
            }
            if !last {
                text.push_str("  ");
            }
        }
        text
    };
    writeln!(
        out,
        "{}",
        line(header.iter().map(|h| (*h).to_owned()).collect()).trim_end()
    )?;
    let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    writeln!(out, "{}", "-".repeat(total))?;
    for row in rows {
        writeln!(out, "{}", line(row.clone()).trim_end())?;
    }
    Ok(())
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
