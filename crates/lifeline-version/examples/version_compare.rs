//! Dev tool for the oracle script `tools/version_oracle.py`: reads lines
//! `ECOSYSTEM<TAB>A<TAB>B` (OSV ecosystem names) from stdin and prints
//! `<`, `=`, `>`, `!A` or `!B` (the version that does not parse) per line.

use std::cmp::Ordering;
use std::io::{self, BufRead, BufWriter, Write};

use lifeline_version::Ecosystem;

fn main() -> io::Result<()> {
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let mut fields = line.split('\t');
        let (Some(name), Some(a), Some(b)) = (fields.next(), fields.next(), fields.next()) else {
            writeln!(out, "?")?;
            continue;
        };
        let Some(ecosystem) = Ecosystem::from_osv(name) else {
            writeln!(out, "?")?;
            continue;
        };
        let answer = match (ecosystem.parse(a), ecosystem.parse(b)) {
            (Err(_), _) => "!A",
            (_, Err(_)) => "!B",
            (Ok(a), Ok(b)) => match a.cmp(&b) {
                Ordering::Less => "<",
                Ordering::Equal => "=",
                Ordering::Greater => ">",
            },
        };
        writeln!(out, "{answer}")?;
    }
    out.flush()
}
