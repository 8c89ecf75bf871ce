//! P(stockout) per hospital and item over a Monte Carlo run: one horizontal bar each, from
//! 0 to 100%, with its 95% interval as a whisker and the numbers written beside it (so the
//! colour of a bar is never the only way to read it).

use std::fmt::Write as _;

use super::xml;
use crate::format::decimal;

/// One bar: a label (hospital · item), the probability and its interval, all in [0, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct RiskBar {
    pub label: String,
    pub p: f64,
    pub low: f64,
    pub high: f64,
}

const WIDTH: f64 = 720.0;
const LABELS: f64 = 250.0;
const VALUES: f64 = 150.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;
const ROW: f64 = 26.0;
const BAR: f64 = 14.0;
/// Label characters kept before an ellipsis (the table has the whole text).
const LABEL_CHARS: usize = 38;

fn pct(p: f64) -> String {
    format!("{}%", decimal(p * 100.0, 1))
}

/// A probability clamped to [0, 1] (NaN as 0), for drawing.
fn unit(p: f64) -> f64 {
    if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) }
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let kept: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{kept}…")
    }
}

/// The chart (`svg#mc-chart`) of `bars` in the order given, titled `title`. Text is
/// escaped; probabilities outside [0, 1] are drawn at the edge.
pub fn p_stockout(bars: &[RiskBar], title: &str) -> String {
    let plot_w = WIDTH - LABELS - VALUES;
    let height = TOP + BOTTOM + ROW * bars.len().max(1) as f64;
    let plot_bottom = height - BOTTOM;
    let x = |p: f64| LABELS + unit(p) * plot_w;
    let likely = bars.iter().filter(|b| b.p >= 0.5).count();
    let mut svg = String::with_capacity(1024 + bars.len() * 600);
    let _ = write!(
        svg,
        "<svg id=\"mc-chart\" class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-labelledby=\"mc-chart-title mc-chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"mc-chart-title\">{}</title>\
         <desc id=\"mc-chart-desc\">{} hospitals and items, the most likely to run short \
         first; each bar is the probability of a stockout, its whisker the 95% confidence \
         interval. {likely} run short in at least half the replications.</desc>",
        xml(title),
        bars.len()
    );
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"{TOP:.1}\" x2=\"{0:.1}\" y2=\"{plot_bottom:.1}\" \
             stroke=\"#e1e6eb\" stroke-width=\"1\"/>\
             <text class=\"tick\" x=\"{0:.1}\" y=\"{1:.1}\" text-anchor=\"middle\" \
             fill=\"#4a5560\" font-size=\"12\">{2}</text>",
            x(tick),
            plot_bottom + 16.0,
            pct(tick)
        );
    }
    let _ = write!(
        svg,
        "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1a1f24\" \
         font-size=\"13\">probability of a stockout (95% interval)</text>",
        LABELS + plot_w / 2.0,
        height - 8.0
    );
    if bars.is_empty() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#4a5560\" font-size=\"13\">No demand node \
             in the report.</text>",
            LABELS + 8.0,
            TOP + ROW / 2.0 + 4.0
        );
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + ROW * i as f64 + (ROW - BAR) / 2.0;
        let mid = y + BAR / 2.0;
        let (low, high) = (x(bar.low.min(bar.high)), x(bar.high.max(bar.low)));
        let _ = write!(
            svg,
            "<g class=\"risk\"><title>{label}: P(stockout) {p} (95% interval {lo} to {hi})</title>\
             <text x=\"{lx:.1}\" y=\"{ty:.1}\" text-anchor=\"end\" fill=\"#1a1f24\" \
             font-size=\"12\">{short}</text>\
             <rect x=\"{LABELS:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BAR:.1}\" \
             fill=\"#0b5cad\" fill-opacity=\"0.8\"/>\
             <path d=\"M{low:.1},{mid:.1} H{high:.1} M{low:.1},{c0:.1} V{c1:.1} \
             M{high:.1},{c0:.1} V{c1:.1}\" stroke=\"#1a1f24\" stroke-width=\"1.5\" fill=\"none\"/>\
             <text x=\"{vx:.1}\" y=\"{ty:.1}\" fill=\"#1a1f24\" font-size=\"12\">{p} \
             [{lo}, {hi}]</text></g>",
            label = xml(&bar.label),
            short = xml(&shorten(&bar.label)),
            p = pct(bar.p),
            lo = pct(bar.low),
            hi = pct(bar.high),
            lx = LABELS - 8.0,
            ty = mid + 4.0,
            w = x(bar.p) - LABELS,
            c0 = mid - 5.0,
            c1 = mid + 5.0,
            vx = LABELS + plot_w + 8.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, p: f64, low: f64, high: f64) -> RiskBar {
        RiskBar {
            label: label.to_owned(),
            p,
            low,
            high,
        }
    }

    #[test]
    fn bars_scale_to_the_plot_and_whiskers_span_the_interval() {
        let svg = p_stockout(
            &[
                bar("H1 · saline", 0.5, 0.25, 0.75),
                bar("H2 · saline", 1.0, 0.9, 1.0),
            ],
            "P(stockout)",
        );
        assert!(svg.starts_with("<svg id=\"mc-chart\""));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"mc-chart-title\">P(stockout)</title>"));
        assert!(svg.contains("2 hospitals and items"));
        assert!(svg.contains("2 run short in at least half"));
        // The plot is 320 wide from x = 250: 50% is 160 wide, the interval 330 to 490.
        assert!(svg.contains("<rect x=\"250.0\" y=\"22.0\" width=\"160.0\""));
        assert!(svg.contains("M330.0,29.0 H490.0"));
        assert!(svg.contains("width=\"320.0\""), "100% fills the plot");
        assert!(svg.contains("50% [25%, 75%]"));
        assert!(svg.contains("viewBox=\"0 0 720 112\""));
        assert_eq!(svg.matches("<g class=\"risk\">").count(), 2);
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn text_is_escaped_and_long_labels_shortened() {
        let long = format!("<script>&{}", "x".repeat(60));
        let svg = p_stockout(&[bar(&long, 0.1, 0.0, 0.2)], "a \"title\" <b>");
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;&amp;"));
        assert!(svg.contains("a &quot;title&quot; &lt;b&gt;"));
        assert!(svg.contains("x…</text>"), "the label is cut");
    }

    #[test]
    fn odd_numbers_stay_inside_and_no_bars_says_so() {
        let svg = p_stockout(&[bar("h", f64::NAN, -1.0, 2.0)], "t");
        assert!(svg.contains("width=\"0.0\""));
        assert!(svg.contains("M250.0,29.0 H570.0"));
        let empty = p_stockout(&[], "t");
        assert!(empty.contains("No demand node in the report."));
    }
}
