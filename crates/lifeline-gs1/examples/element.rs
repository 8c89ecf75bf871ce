//! Reads GS1 element strings, one a line, on stdin (bracketed, or unbracketed with ASCII GS
//! as FNC1) and prints each parsed element string in bracketed form, or `<error> message`.
//! Used by `tools/gs1_element_oracle.py`; not part of the library.

use std::io::{BufRead, Write};

fn main() -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        match lifeline_gs1::ElementString::parse(&line) {
            Ok(elements) => writeln!(out, "{}", elements.to_bracketed())?,
            Err(error) => writeln!(out, "<error> {}", error.to_string().replace('\n', " "))?,
        }
    }
    out.flush()
}
