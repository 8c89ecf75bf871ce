//! The one rendering layer of the CLI: the report formats every command chooses from,
//! tables with typed columns, CSV, JSON, the destination of a report, and the lines people
//! read on stdout and stderr.
//!
//! Values in reports come from partners' files and may be hostile (issue 21): an id can
//! hold terminal escapes that retitle or clear a terminal, bidi controls that reverse what
//! a reader sees, or a spreadsheet formula. So every text cell of a table and every line
//! for people passes through `lifeline_text::escaped`, every CSV text cell through
//! `lifeline_text::csv_cell`; number cells keep their sign. JSON is left as serde writes
//! it: its string escapes already make control characters harmless.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::io::{self, Write};
use std::path::Path;

use clap::ValueEnum;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use lifeline_network::{Diagnostic, Severity};
use lifeline_text::{csv_cell, escaped};

/// How a command writes its report. Each command accepts the subset it can write
/// ([`Format::parser`]), so `--help` lists only those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people (`text` is the name `validate` used before)
    #[value(alias = "text")]
    Table,
    /// lifeline's JSON report
    Json,
    /// Comma-separated values, one row per entity, unformatted numbers
    Csv,
    /// SARIF 2.1.0 (code-scanning dashboards)
    Sarif,
    /// A CycloneDX 1.6 VEX document
    CyclonedxVex,
}

impl Format {
    pub const TABLE_JSON: &'static [Format] = &[Format::Table, Format::Json];
    pub const TABLE_JSON_CSV: &'static [Format] = &[Format::Table, Format::Json, Format::Csv];

    /// A `--format` parser that takes only the formats in `allowed` (and their aliases).
    pub fn parser(allowed: &'static [Format]) -> impl TypedValueParser<Value = Format> {
        PossibleValuesParser::new(allowed.iter().filter_map(ValueEnum::to_possible_value))
            // The parser above accepted the name, so it names one of the formats.
            .map(|name| Format::from_str(&name, false).unwrap_or(Format::Table))
    }
}

/// Writes a report to `destination` (stdout when `None`) through `write`, then flushes, so
/// that a write error is seen rather than lost when the buffer is dropped.
pub fn report(
    destination: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut out = crate::output::open(destination)?;
    write(&mut out)?;
    out.flush()?;
    Ok(())
}

/// What a column holds: text from the input or lifeline's words (left-aligned, escaped,
/// and in CSV kept from being a formula), or a number lifeline computed (right-aligned, and
/// in CSV written as it is, sign included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
}

/// A column of a [`Table`] or a [`Csv`]: its title and what it holds.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: Cow<'static, str>,
    pub kind: Kind,
}

impl Column {
    pub fn text(title: impl Into<Cow<'static, str>>) -> Column {
        Column {
            title: title.into(),
            kind: Kind::Text,
        }
    }

    pub fn number(title: impl Into<Cow<'static, str>>) -> Column {
        Column {
            title: title.into(),
            kind: Kind::Number,
        }
    }
}

/// A text table: a header, a rule, and one line per row, columns two spaces apart, text
/// left-aligned and numbers right-aligned. Cells are escaped as they are added, so widths
/// are those of what the terminal shows.
#[derive(Debug)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: impl IntoIterator<Item = Column>) -> Table {
        Table {
            columns: columns.into_iter().collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are blank, cells beyond the columns are dropped.
    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let mut row: Vec<String> = cells
            .into_iter()
            .take(self.columns.len())
            .map(|cell| escaped(cell.as_ref()).into_owned())
            .collect();
        row.resize(self.columns.len(), String::new());
        self.rows.push(row);
    }

    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let titles: Vec<String> = self
            .columns
            .iter()
            .map(|c| escaped(&c.title).into_owned())
            .collect();
        let mut widths: Vec<usize> = titles.iter().map(|t| t.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        self.write_line(out, &widths, &titles)?;
        let total = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
        writeln!(out, "{}", "-".repeat(total))?;
        for row in &self.rows {
            self.write_line(out, &widths, row)?;
        }
        Ok(())
    }

    /// One line, without trailing blanks.
    fn write_line(
        &self,
        out: &mut dyn Write,
        widths: &[usize],
        cells: &[String],
    ) -> io::Result<()> {
        let mut text = String::new();
        for (i, (cell, column)) in cells.iter().zip(&self.columns).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            let pad = widths[i].saturating_sub(cell.chars().count());
            match column.kind {
                Kind::Number => {
                    text.extend(std::iter::repeat_n(' ', pad));
                    text.push_str(cell);
                }
                Kind::Text => {
                    text.push_str(cell);
                    text.extend(std::iter::repeat_n(' ', pad));
                }
            }
        }
        writeln!(out, "{}", text.trim_end())
    }
}

/// A CSV report: a header of column titles, then rows whose text cells are made safe for
/// spreadsheets and whose number cells are written as they are.
pub struct Csv<W: Write> {
    writer: csv::Writer<W>,
    kinds: Vec<Kind>,
}

impl<W: Write> Csv<W> {
    pub fn new(out: W, columns: &[Column]) -> csv::Result<Csv<W>> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(columns.iter().map(|c| c.title.as_ref()))?;
        Ok(Csv {
            writer,
            kinds: columns.iter().map(|c| c.kind).collect(),
        })
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) -> csv::Result<()> {
        let cells: Vec<S> = cells.into_iter().collect();
        let record = cells
            .iter()
            .zip(&self.kinds)
            .map(|(cell, kind)| match kind {
                Kind::Text => csv_cell(cell.as_ref()),
                Kind::Number => Cow::Borrowed(cell.as_ref()),
            })
            // The csv crate takes bytes; a cell that needed no change stays borrowed.
            .map(|cell| match cell {
                Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
                Cow::Owned(text) => Cow::Owned(text.into_bytes()),
            });
        self.writer.write_record(record)
    }

    /// Flushes the rows written so far; a write error surfaces here.
    pub fn finish(mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// `text` with every character that would act on a terminal escaped, except the line
/// breaks the CLI puts between lines of one message.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c != '\n' && lifeline_text::is_unsafe(c))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = write!(out, "{}", escaped(line));
    }
    Cow::Owned(out)
}

/// Writes one message line (or several, for a message with hints) on stderr, escaped.
/// A closed stderr is not worth failing a command over.
pub fn stderr_line(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{}", escape_lines(text));
}

/// `writeln!` for one line people read on stdout: the formatted text is escaped whole, line
/// breaks included, so that a value holding CR or LF cannot forge a line of its own.
macro_rules! outln {
    ($out:expr) => {
        writeln!($out)
    };
    ($out:expr, $($arg:tt)*) => {
        writeln!($out, "{}", lifeline_text::escaped(&format!($($arg)*)))
    };
}

/// `writeln!` for a message of several lines on stdout (a diagnostic and its `hint:`):
/// escaped with [`escape_lines`], which keeps the line breaks.
macro_rules! outlines {
    ($out:expr, $($arg:tt)*) => {
        writeln!($out, "{}", $crate::render::escape_lines(&format!($($arg)*)))
    };
}

/// `eprintln!` for errors, warnings and diagnostics: the formatted text is escaped with
/// [`escape_lines`], which keeps the line breaks of messages with hints; the values in
/// those messages come through the libraries' `Excerpt`s or are the user's own arguments.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::render::stderr_line(&format!($($arg)*))
    };
}

/// A diagnostic as people read it, each of its parts escaped on its own: a CR or LF in the
/// path, message or hint is written as `\r` or `\n`, and only the line break before
/// `hint:` is a real one (the `Display` of `Diagnostic` would print a value's line breaks
/// raw).
pub struct Diag<'a>(pub &'a Diagnostic);

impl fmt::Display for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        f.write_str(level)?;
        if !d.path.is_empty() {
            write!(f, ": {}", escaped(&d.path))?;
        }
        write!(f, ": {}", escaped(&d.message))?;
        if let Some(hint) = &d.hint {
            write!(f, "\n  hint: {}", escaped(hint))?;
        }
        Ok(())
    }
}

/// Every diagnostic of a list, one [`Diag`] per line.
pub struct Diags<'a>(pub &'a [Diagnostic]);

impl fmt::Display for Diags<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}", Diag(diagnostic))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Column, Csv, Table, escape_lines};

    fn table(columns: Vec<Column>, rows: &[&[&str]]) -> String {
        let mut table = Table::new(columns);
        for row in rows {
            table.row(row.iter().copied());
        }
        let mut out = Vec::new();
        table.write(&mut out).expect("write to memory");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn tables_align_text_left_and_numbers_right() {
        let text = table(
            vec![
                Column::number("#"),
                Column::text("id"),
                Column::number("units"),
            ],
            &[&["1", "S3", "1,250"], &["10", "long-name", "7"]],
        );
        assert_eq!(
            text,
            " #  id         units\n\
             --------------------\n \
             1  S3         1,250\n\
             10  long-name      7\n"
        );
    }

    #[test]
    fn table_cells_and_titles_are_escaped_and_measured_escaped() {
        let text = table(
            vec![Column::text("id\u{1b}[2J"), Column::number("n")],
            &[&["\u{1b}]0;PWNED\u{7}", "1"], &["a\u{202e}b", "22"]],
        );
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && lifeline_text::is_unsafe(c)),
            "{text:?}"
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], "\\u{1b}]0;PWNED\\u{7}   1");
        assert_eq!(lines[3], "a\\u{202e}b           22");
    }

    #[test]
    fn short_rows_are_padded_and_long_rows_cut() {
        let text = table(
            vec![Column::text("a"), Column::text("b")],
            &[&["x"], &["1", "2", "3"]],
        );
        assert_eq!(text, "a  b\n----\nx\n1  2\n");
    }

    #[test]
    fn csv_text_cells_are_not_formulas_and_numbers_keep_their_sign() {
        let mut out = Vec::new();
        let mut csv =
            Csv::new(&mut out, &[Column::text("id"), Column::number("gap")]).expect("header");
        for (id, gap) in [
            ("=1+2", "-3.5"),
            ("-S\u{0}", "4"),
            ("@x\r\ny", "-0"),
            ("ok", "1"),
        ] {
            csv.row([id, gap]).expect("row");
        }
        csv.finish().expect("flush");
        assert_eq!(
            String::from_utf8(out).expect("UTF-8"),
            "id,gap\n'=1+2,-3.5\n'-S\\u{0},4\n'@x\\r\\ny,-0\nok,1\n"
        );
    }

    #[test]
    fn lines_keep_their_breaks_and_lose_their_escapes() {
        assert_eq!(escape_lines("plain\nhint: x"), "plain\nhint: x");
        assert_eq!(
            escape_lines("unknown `\u{1b}]0;PWNED\u{7}`\r\n  hint: \u{202e}"),
            "unknown `\\u{1b}]0;PWNED\\u{7}`\\r\n  hint: \\u{202e}"
        );
    }
}
