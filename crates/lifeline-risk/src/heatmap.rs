//! The likelihood × impact heat map (`lifeline risk heatmap`): a 5 × 5 grid, likelihood
//! across and impact up, each vendor a marker at its scores in its tier's colour, the
//! highest ranked numbered and named in a key beside the grid. A standalone SVG file,
//! drawn by hand as lifeline-web's charts are (`lifeline-web/src/chart/`): presentation
//! attributes rather than a stylesheet, a `<title>` and `<desc>` for screen readers, a
//! `<title>` on every marker, and the tier written beside every colour so that colour is
//! never the only way to read it.
//!
//! Vendors no network entity carries have no impact: they are listed under the grid, not
//! plotted at an invented height.

use std::fmt::Write as _;

use crate::assessment::{RiskRegister, Tier, VendorRisk};
use crate::render::{score, score_or_dash, xml};

/// Markers numbered and named in the key: the highest ranked. Every other vendor is still
/// plotted (a small dot with its own title); the table and CSV list them all.
pub const LABELLED: usize = 30;

const CELLS: usize = 5;
const CELL_W: f64 = 100.0;
const CELL_H: f64 = 80.0;
const LEFT: f64 = 72.0;
const TOP: f64 = 56.0;
const GRID_W: f64 = CELL_W * CELLS as f64;
const GRID_H: f64 = CELL_H * CELLS as f64;
const KEY_X: f64 = LEFT + GRID_W + 32.0;
const KEY_ROW: f64 = 18.0;
const WIDTH: f64 = KEY_X + 340.0;
/// Key names longer than this are cut (the marker's title has the whole name).
const KEY_CHARS: usize = 34;
/// Ids under the grid: this many to a line, cut to this many characters, at most
/// this many lines.
const NOTE_IDS: usize = 4;
const NOTE_CHARS: usize = 24;
const NOTE_LINES: usize = 3;
const BIG: f64 = 9.0;
const SMALL: f64 = 4.0;

const INK: &str = "#1a1f24";
const MUTED: &str = "#4a5560";
const LINE: &str = "#c9d1d9";
const EMPTY: &str = "#f3f5f7";

/// A tier's marker colour (white text on it meets WCAG AA) and its cell tint.
fn colours(tier: Tier) -> (&'static str, &'static str) {
    match tier {
        Tier::Critical => ("#a4161a", "#fbdcdc"),
        Tier::High => ("#b54708", "#fde6d2"),
        Tier::Medium => ("#7a5c00", "#fbf0c9"),
        Tier::Low => ("#1e6b34", "#dcefe1"),
    }
}

/// A score clamped to [0, 1] (NaN as 0), for drawing.
fn unit(value: f64) -> f64 {
    if value.is_nan() {
        0.0
    } else {
        value.clamp(0.0, 1.0)
    }
}

/// The grid cell (0 to 4) a score falls in; 1.0 is in the top cell.
fn band(value: f64) -> usize {
    ((unit(value) * CELLS as f64) as usize).min(CELLS - 1)
}

fn shorten(label: &str, chars: usize) -> String {
    if label.chars().count() <= chars {
        label.to_owned()
    } else {
        let kept: String = label.chars().take(chars.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

fn marker_title(vendor: &VendorRisk) -> String {
    format!(
        "{}. {} ({}): {}, risk {}, likelihood {}, impact {}",
        vendor.rank,
        vendor.name,
        vendor.id,
        vendor.tier.as_str(),
        score_or_dash(vendor.risk),
        score(vendor.likelihood),
        score_or_dash(vendor.impact),
    )
}

/// Where a marker goes: at its scores, moved the least distance (on a ring of marker
/// widths around it, within the grid) that keeps it clear of the markers already placed,
/// so that vendors with equal scores stay readable. Deterministic: the vendors come in
/// rank order.
fn place(x: f64, y: f64, r: f64, placed: &[(f64, f64, f64)]) -> (f64, f64) {
    let step = 2.0 * BIG + 1.0;
    let clear = |cx: f64, cy: f64| {
        placed
            .iter()
            .all(|(px, py, pr)| (px - cx).hypot(py - cy) >= pr + r + 1.0)
    };
    let inside = |cx: f64, cy: f64| {
        (LEFT + r..=LEFT + GRID_W - r).contains(&cx) && (TOP + r..=TOP + GRID_H - r).contains(&cy)
    };
    let (x0, y0) = (
        x.clamp(LEFT + r, LEFT + GRID_W - r),
        y.clamp(TOP + r, TOP + GRID_H - r),
    );
    if clear(x0, y0) {
        return (x0, y0);
    }
    for ring in 1..=3_i32 {
        for dy in -ring..=ring {
            for dx in -ring..=ring {
                if dx.abs().max(dy.abs()) != ring {
                    continue;
                }
                let (cx, cy) = (x0 + f64::from(dx) * step, y0 + f64::from(dy) * step);
                if inside(cx, cy) && clear(cx, cy) {
                    return (cx, cy);
                }
            }
        }
    }
    (x0, y0)
}

/// The heat map of `register` as a standalone SVG document (with a trailing newline).
pub fn svg(register: &RiskRegister) -> String {
    let plotted: Vec<(&VendorRisk, f64)> = register
        .vendors
        .iter()
        .filter_map(|v| v.impact.map(|impact| (v, impact)))
        .collect();
    let unplotted: Vec<&VendorRisk> = register
        .vendors
        .iter()
        .filter(|v| v.impact.is_none())
        .collect();
    let labelled: Vec<&VendorRisk> = plotted
        .iter()
        .map(|(v, _)| *v)
        .filter(|v| v.rank <= LABELLED)
        .collect();

    let grid_bottom = TOP + GRID_H;
    let notes_y = grid_bottom + 56.0;
    let note_lines: Vec<String> = unplotted
        .chunks(NOTE_IDS)
        .take(NOTE_LINES)
        .map(|chunk| {
            chunk
                .iter()
                .map(|v| shorten(&v.id, NOTE_CHARS))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    let notes_h = if unplotted.is_empty() {
        0.0
    } else {
        KEY_ROW * (note_lines.len() + 2) as f64
    };
    let key_h = TOP + 24.0 + KEY_ROW * (labelled.len() + 6) as f64;
    let height = (notes_y + notes_h).max(key_h) + 12.0;

    let tally = |tier: Tier| register.vendors.iter().filter(|v| v.tier == tier).count();
    let mut svg = String::with_capacity(4096 + register.vendors.len() * 300);
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"risk-heatmap\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" \
         aria-labelledby=\"risk-heatmap-title risk-heatmap-desc\" \
         font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\">\n\
         <title id=\"risk-heatmap-title\">Vendor cyber risk, {network}, as of {as_of}: \
         likelihood against impact</title>\n\
         <desc id=\"risk-heatmap-desc\">{total} vendors: {critical} critical, {high} high, \
         {medium} medium, {low} low. {plotted} are plotted on a 5 by 5 grid, likelihood from \
         0 to 1 across, impact from 0 to 1 up; each cell is tinted with the highest tier of \
         the vendors in it. The {shown} highest ranked are numbered by rank and named in the \
         key. {missing} carry no impact (no network entity depends on them) and are listed \
         under the grid.</desc>\n",
        network = xml(&register.network),
        as_of = crate::date::format(register.as_of),
        total = register.vendors.len(),
        critical = tally(Tier::Critical),
        high = tally(Tier::High),
        medium = tally(Tier::Medium),
        low = tally(Tier::Low),
        plotted = plotted.len(),
        shown = labelled.len(),
        missing = unplotted.len(),
    );
    let _ = writeln!(
        svg,
        "<rect width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>\n\
         <text x=\"{LEFT}\" y=\"28\" font-size=\"16\" font-weight=\"700\" fill=\"{INK}\">\
         Vendor cyber risk: {} · as of {}</text>",
        xml(&shorten(&register.network, 48)),
        crate::date::format(register.as_of)
    );

    // The cells, tinted by the highest tier in them. Row 0 is the bottom (impact 0–0.2).
    let mut highest: [[Option<Tier>; CELLS]; CELLS] = [[None; CELLS]; CELLS];
    for (vendor, impact) in &plotted {
        let slot = &mut highest[band(*impact)][band(vendor.likelihood)];
        *slot = Some(slot.map_or(vendor.tier, |t| t.min(vendor.tier)));
    }
    svg.push_str("<g class=\"cells\">\n");
    for (row, cells) in highest.iter().enumerate() {
        for (column, tier) in cells.iter().enumerate() {
            let fill = tier.map_or(EMPTY, |t| colours(t).1);
            let _ = writeln!(
                svg,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{CELL_W}\" height=\"{CELL_H}\" \
                 fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"2\"/>",
                LEFT + column as f64 * CELL_W,
                grid_bottom - (row + 1) as f64 * CELL_H,
            );
        }
    }
    svg.push_str("</g>\n");

    // Axes: ticks at the cell edges.
    let _ = writeln!(
        svg,
        "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{GRID_W}\" height=\"{GRID_H}\" fill=\"none\" \
         stroke=\"{LINE}\" stroke-width=\"1\"/>"
    );
    for i in 0..=CELLS {
        let value = i as f64 / CELLS as f64;
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" \
             fill=\"{MUTED}\">{value:.1}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"12\" \
             fill=\"{MUTED}\">{value:.1}</text>",
            LEFT + value * GRID_W,
            grid_bottom + 18.0,
            LEFT - 8.0,
            grid_bottom - value * GRID_H + 4.0,
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"13\" fill=\"{INK}\">\
         likelihood →</text>\
         <text transform=\"translate(24 {:.1}) rotate(-90)\" text-anchor=\"middle\" \
         font-size=\"13\" fill=\"{INK}\">impact on patient care →</text>",
        LEFT + GRID_W / 2.0,
        grid_bottom + 40.0,
        TOP + GRID_H / 2.0,
    );

    // Markers, lowest ranked first so that the highest ranked are drawn on top; placed
    // highest ranked first so that they keep their true position.
    let mut placed: Vec<(f64, f64, f64)> = Vec::with_capacity(LABELLED);
    let mut markers: Vec<String> = Vec::with_capacity(plotted.len());
    for (vendor, impact) in &plotted {
        let numbered = vendor.rank <= LABELLED;
        let r = if numbered { BIG } else { SMALL };
        let (x, y) = (
            LEFT + unit(vendor.likelihood) * GRID_W,
            grid_bottom - unit(*impact) * GRID_H,
        );
        // Only numbered markers are moved apart (their numbers must stay readable), and
        // only from each other: small dots may overlap, and a register of thousands of
        // vendors costs no more than its thirty numbered markers.
        let (x, y) = if numbered {
            let (x, y) = place(x, y, r, &placed);
            placed.push((x, y, r));
            (x, y)
        } else {
            (
                x.clamp(LEFT + r, LEFT + GRID_W - r),
                y.clamp(TOP + r, TOP + GRID_H - r),
            )
        };
        let (fill, _) = colours(vendor.tier);
        let mut marker = format!(
            "<g class=\"vendor {tier}\"><title>{title}</title>\
             <circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\" fill=\"{fill}\" stroke=\"#ffffff\" \
             stroke-width=\"1.5\"/>",
            tier = vendor.tier.as_str(),
            title = xml(&marker_title(vendor)),
        );
        if numbered {
            let _ = write!(
                marker,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\" \
                 font-weight=\"700\" fill=\"#ffffff\">{}</text>",
                y + 3.5,
                vendor.rank
            );
        }
        marker.push_str("</g>\n");
        markers.push(marker);
    }
    svg.push_str("<g class=\"vendors\">\n");
    for marker in markers.iter().rev() {
        svg.push_str(marker);
    }
    svg.push_str("</g>\n");

    // The key: tiers, then the numbered vendors.
    let mut y = TOP + 4.0;
    let _ = writeln!(
        svg,
        "<text x=\"{KEY_X}\" y=\"{y:.1}\" font-size=\"13\" font-weight=\"700\" fill=\"{INK}\">\
         Tiers</text>"
    );
    for (i, tier) in [Tier::Critical, Tier::High, Tier::Medium, Tier::Low]
        .into_iter()
        .enumerate()
    {
        let x = KEY_X + i as f64 * 72.0;
        let _ = writeln!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"{INK}\">{}</text>",
            y + 8.0,
            colours(tier).0,
            x + 16.0,
            y + 18.0,
            tier.as_str()
        );
    }
    y += 2.0 * KEY_ROW + 12.0;
    if !labelled.is_empty() {
        let _ = writeln!(
            svg,
            "<text x=\"{KEY_X}\" y=\"{y:.1}\" font-size=\"13\" font-weight=\"700\" \
             fill=\"{INK}\">Vendors by rank</text>"
        );
        for vendor in &labelled {
            y += KEY_ROW;
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"end\" font-size=\"12\" \
                 font-weight=\"700\" fill=\"{INK}\">{}</text>\
                 <text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"12\" fill=\"{INK}\">{} \
                 <tspan fill=\"{}\" font-weight=\"700\">{}</tspan></text>",
                KEY_X + 20.0,
                vendor.rank,
                KEY_X + 28.0,
                xml(&shorten(&vendor.name, KEY_CHARS)),
                colours(vendor.tier).0,
                vendor.tier.as_str(),
            );
        }
        let rest = plotted.len() - labelled.len();
        if rest > 0 {
            y += KEY_ROW;
            let _ = writeln!(
                svg,
                "<text x=\"{KEY_X}\" y=\"{y:.1}\" font-size=\"12\" fill=\"{MUTED}\">and {} \
                 more as small dots</text>",
                lifeline_text::thousands(rest as f64)
            );
        }
    }

    if !unplotted.is_empty() {
        let _ = writeln!(
            svg,
            "<text x=\"{LEFT}\" y=\"{notes_y:.1}\" font-size=\"12\" font-weight=\"700\" \
             fill=\"{INK}\">Not plotted: no network entity depends on them (impact unknown)</text>"
        );
        let mut y = notes_y;
        for line in &note_lines {
            y += KEY_ROW;
            let _ = writeln!(
                svg,
                "<text x=\"{LEFT}\" y=\"{y:.1}\" font-size=\"12\" fill=\"{INK}\">{}</text>",
                xml(line)
            );
        }
        let shown = (NOTE_IDS * NOTE_LINES).min(unplotted.len());
        if unplotted.len() > shown {
            y += KEY_ROW;
            let _ = writeln!(
                svg,
                "<text x=\"{LEFT}\" y=\"{y:.1}\" font-size=\"12\" fill=\"{MUTED}\">and {} \
                 more</text>",
                lifeline_text::thousands((unplotted.len() - shown) as f64)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_the_unit_interval() {
        assert_eq!(band(0.0), 0);
        assert_eq!(band(0.199), 0);
        assert_eq!(band(0.2), 1);
        assert_eq!(band(0.99), 4);
        assert_eq!(band(1.0), 4);
        assert_eq!(band(f64::NAN), 0);
        assert_eq!(band(7.0), 4);
        assert_eq!(band(-1.0), 0);
    }

    #[test]
    fn equal_scores_do_not_overlap() {
        let mut placed = Vec::new();
        for _ in 0..5 {
            let (x, y) = place(LEFT + 250.0, TOP + 200.0, BIG, &placed);
            placed.push((x, y, BIG));
        }
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                assert!((a.0 - b.0).hypot(a.1 - b.1) >= 2.0 * BIG, "{a:?} {b:?}");
            }
        }
        assert_eq!(placed[0], (LEFT + 250.0, TOP + 200.0, BIG));
    }
}
