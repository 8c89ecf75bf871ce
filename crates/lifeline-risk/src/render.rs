//! The ranked register as people and programs read it: an aligned table, CSV and JSON
//! (`lifeline risk register --format table|csv|json`). [`report`](crate::report) writes the
//! per-vendor report and [`heatmap`](crate::heatmap) the picture; the small text helpers
//! they share live here.
//!
//! Names, ids and driver details come from partners' files and may be hostile, so the
//! conventions are the CLI's (`lifeline-cli/src/render.rs`): every table cell passes
//! through [`lifeline_text::escaped`], every CSV text cell through
//! [`lifeline_text::csv_cell`] (number cells keep their sign, as lifeline-text asks),
//! and JSON is left as serde writes it (its string escapes already make control
//! characters harmless).

use std::fmt::Write as _;

use lifeline_text::{csv_cell, escaped};

use crate::assessment::{Driver, RiskRegister, Scored, VendorRisk};

/// The table: rank, vendor, tier, risk, likelihood, impact, findings (open/KEV), top
/// driver; columns two spaces apart, text left-aligned, numbers right-aligned, a rule
/// under the header, no trailing blanks. A vendor no network entity carries shows `—` for
/// impact and risk.
pub fn table(register: &RiskRegister) -> String {
    let columns = [
        ("rank", Align::Right),
        ("vendor", Align::Left),
        ("name", Align::Left),
        ("tier", Align::Left),
        ("risk", Align::Right),
        ("likelihood", Align::Right),
        ("impact", Align::Right),
        ("findings open/KEV", Align::Right),
        ("top driver", Align::Left),
    ];
    let rows: Vec<[String; 9]> = register
        .vendors
        .iter()
        .map(|vendor| {
            [
                vendor.rank.to_string(),
                vendor.id.clone(),
                clip(&vendor.name, NAME_CHARS),
                vendor.tier.as_str().to_owned(),
                score_or_dash(vendor.risk),
                score(vendor.likelihood),
                score_or_dash(vendor.impact),
                format!("{}/{}", vendor.findings.open, vendor.findings.kev),
                top_driver(vendor).map_or_else(String::new, |d| clip(&d.detail, DRIVER_CHARS)),
            ]
            .map(|cell| escaped(&cell).into_owned())
        })
        .collect();

    let mut widths: Vec<usize> = columns.iter().map(|(t, _)| t.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let titles = columns.map(|(title, _)| title.to_owned());
    line(&mut out, &columns, &widths, &titles);
    let total = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    out.push_str(&"-".repeat(total));
    out.push('\n');
    for row in &rows {
        line(&mut out, &columns, &widths, row);
    }
    if let Some(first) = register.vendors.first() {
        out.push('\n');
        out.push_str(&call_first(first));
    }
    out
}

/// The widest a vendor name or a driver gets in the table; the JSON and the per-vendor
/// report have them whole.
const NAME_CHARS: usize = 36;
const DRIVER_CHARS: usize = 72;

/// `text` cut to `max` characters, a cut one ending in `…`.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut clipped: String = text.chars().take(max.saturating_sub(1)).collect();
        clipped.push('…');
        clipped
    }
}

/// Who to call first and why: the first-ranked vendor with its three largest drivers.
fn call_first(vendor: &VendorRisk) -> String {
    let mut text = format!(
        "Call first: {} ({}), {} risk {}: likelihood {}, impact {}.\n",
        escaped(&vendor.name),
        escaped(&vendor.id),
        vendor.tier.as_str(),
        score_or_dash(vendor.risk),
        score(vendor.likelihood),
        score_or_dash(vendor.impact),
    );
    let mut drivers: Vec<&Driver> = vendor.drivers.iter().collect();
    drivers.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    for driver in drivers.iter().take(3) {
        text.push_str(&format!(
            "  {:+.2} {}: {}\n",
            driver.weight,
            match driver.score {
                Scored::Likelihood => "likelihood",
                Scored::Impact => "impact",
            },
            escaped(&driver.detail)
        ));
    }
    text.push_str(&format!(
        "Every driver: --format json; the report to send it: lifeline risk report {} ...\n",
        escaped(&vendor.id)
    ));
    text
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// One table line, without trailing blanks.
fn line(out: &mut String, columns: &[(&str, Align)], widths: &[usize], cells: &[String]) {
    let mut text = String::new();
    for (i, ((cell, (_, align)), width)) in cells.iter().zip(columns).zip(widths).enumerate() {
        if i > 0 {
            text.push_str("  ");
        }
        let pad = width.saturating_sub(cell.chars().count());
        match align {
            Align::Right => {
                text.extend(std::iter::repeat_n(' ', pad));
                text.push_str(cell);
            }
            Align::Left => {
                text.push_str(cell);
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
    }
    out.push_str(text.trim_end());
    out.push('\n');
}

/// The CSV columns, in order.
const CSV_COLUMNS: [&str; 17] = [
    "rank",
    "vendor",
    "name",
    "tier",
    "risk",
    "likelihood",
    "impact",
    "attested_likelihood",
    "observed_likelihood",
    "findings_open",
    "findings_kev",
    "findings_kev_ransomware",
    "findings_critical",
    "findings_high",
    "entities",
    "top_driver",
    "top_driver_detail",
];

/// Which of [`CSV_COLUMNS`] hold text (from the register or lifeline's words) rather than
/// numbers.
const CSV_TEXT: [bool; 17] = [
    false, true, true, true, false, false, false, false, false, false, false, false, false, false,
    true, true, true,
];

/// CSV: a header, then one row per vendor in rank order, numbers unformatted (as Rust
/// writes an `f64`, so they read back exactly), an empty cell for a null impact or risk,
/// entities joined by `;`. Every text cell (vendor, name, tier, entities, drivers) passes
/// through [`csv_cell`]; the numbers are lifeline's own and are written as they are.
pub fn csv(register: &RiskRegister) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail; a record is dropped rather than the process panicking.
    let _ = writer.write_record(CSV_COLUMNS);
    for vendor in &register.vendors {
        let top = top_driver(vendor);
        let record: [String; 17] = [
            vendor.rank.to_string(),
            vendor.id.clone(),
            vendor.name.clone(),
            vendor.tier.as_str().to_owned(),
            vendor.risk.map_or_else(String::new, |r| r.to_string()),
            vendor.likelihood.to_string(),
            vendor.impact.map_or_else(String::new, |i| i.to_string()),
            vendor.detail.attested_likelihood.to_string(),
            vendor.detail.observed_likelihood.to_string(),
            vendor.findings.open.to_string(),
            vendor.findings.kev.to_string(),
            vendor.findings.kev_ransomware.to_string(),
            vendor.findings.critical.to_string(),
            vendor.findings.high.to_string(),
            vendor.entities.join(";"),
            top.map_or_else(String::new, |d| d.factor.clone()),
            top.map_or_else(String::new, |d| d.detail.clone()),
        ];
        let cells = record.iter().zip(CSV_TEXT).map(|(cell, text)| {
            if text {
                csv_cell(cell).into_owned()
            } else {
                cell.clone()
            }
        });
        let _ = writer.write_record(cells);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    // Every cell written was a `String`, so the bytes are UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

/// The spec's JSON report, pretty-printed with a trailing newline. The same register
/// gives the same bytes.
pub fn json(register: &RiskRegister) -> String {
    // The assessment types serialise without maps keyed by non-strings, so this cannot
    // fail; an empty object is the fallback rather than a panic.
    let mut text = serde_json::to_string_pretty(register).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// The driver that explains most of the vendor's likelihood (what the vendor can act on),
/// else its first driver.
pub fn top_driver(vendor: &VendorRisk) -> Option<&Driver> {
    vendor
        .drivers
        .iter()
        .filter(|d| d.score == Scored::Likelihood)
        .max_by(|a, b| a.weight.total_cmp(&b.weight))
        .or_else(|| vendor.drivers.first())
}

/// A score in [0, 1] as tables show it: two decimals; `—` for NaN or infinity.
pub fn score(value: f64) -> String {
    if value.is_finite() {
        let text = format!("{value:.2}");
        if text == "-0.00" {
            "0.00".to_owned()
        } else {
            text
        }
    } else {
        "—".to_owned()
    }
}

/// [`score`], or `—` for a null.
pub fn score_or_dash(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), score)
}

/// `text` for XML and HTML text and attribute values: first [`escaped`] (so control and
/// invisible direction characters show as `\u{…}` escapes, as everywhere else), then the
/// five markup characters as entities.
pub(crate) fn xml(text: &str) -> String {
    lifeline_text::xml_escaped(text)
}

/// `text` for Markdown, inline: first [`escaped`], then a backslash before every ASCII
/// punctuation character that Markdown could read as markup (emphasis, code, links, raw
/// HTML, table cells, entities), so a vendor's name shows as it is written. Values never
/// begin a line, so line-start markup (`#`, `-`, `1.`) needs no escape.
pub(crate) fn md(text: &str) -> String {
    let text = escaped(text);
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `n` followed by `one` or `many`: "1 finding", "3 findings".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    let mut out = lifeline_text::thousands(n as f64);
    let _ = write!(out, " {}", if n == 1 { one } else { many });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_for_markup() {
        assert_eq!(xml("a<b&\"c'\u{202e}"), "a&lt;b&amp;&quot;c&#39;\\u{202e}");
        assert_eq!(
            md("*x* [y](z) | `c` \u{1b} &amp;"),
            "\\*x\\* \\[y\\](z) \\| \\`c\\` \\\\u{1b} \\&amp;"
        );
        assert_eq!(md("acme-edi 1.2"), "acme-edi 1.2");
    }

    #[test]
    fn scores_and_counts() {
        assert_eq!(score(0.825), "0.82");
        assert_eq!(score(1.0), "1.00");
        assert_eq!(score(-0.0001), "0.00");
        assert_eq!(score(f64::NAN), "—");
        assert_eq!(score_or_dash(None), "—");
        assert_eq!(count(1, "finding", "findings"), "1 finding");
        assert_eq!(count(1200, "finding", "findings"), "1,200 findings");
    }
}
