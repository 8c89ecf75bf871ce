//! Time to survive against time to recover: one point per entity, the line TTS = TTR; the
//! points below it are the exposures (demand is lost before the entity recovers).

use std::fmt::Write as _;

use lifeline_stress::ScenarioResult;

use super::{ticks, xml};
use crate::format::{days, decimal};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 52.0;

/// The chart of `scenarios` (those with a TTR), each point linking to `href(id)`. The
/// points are reached by mouse; keyboards and screen readers reach the same links in the
/// table beside the chart, so the points stay out of the tab order.
pub fn tts_ttr(scenarios: &[&ScenarioResult], href: &dyn Fn(&str) -> String) -> String {
    let points: Vec<(&ScenarioResult, f64)> = scenarios
        .iter()
        .filter_map(|s| s.ttr.map(|ttr| (*s, ttr)))
        .collect();
    let max = points
        .iter()
        .map(|(s, ttr)| s.tts.max(*ttr))
        .fold(1.0_f64, f64::max);
    let ticks = ticks(max);
    let top = ticks.last().copied().unwrap_or(max).max(f64::MIN_POSITIVE);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |v: f64| LEFT + v / top * plot_w;
    let y = |v: f64| TOP + plot_h - v / top * plot_h;
    let exposed = points.iter().filter(|(s, ttr)| s.tts < *ttr).count();

    let mut svg = String::with_capacity(512 + points.len() * 220);
    let _ = write!(
        svg,
        "<svg id=\"tts-ttr-chart\" class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         role=\"group\" aria-labelledby=\"tts-ttr-title tts-ttr-desc\" \
         xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"tts-ttr-title\">Time to survive against time to recover</title>\
         <desc id=\"tts-ttr-desc\">{} entities with a time to recover; {exposed} lie below \
         the line TTS = TTR: they lose demand before they recover.</desc>",
        points.len()
    );
    // The exposure zone: below the diagonal.
    let _ = write!(
        svg,
        "<path class=\"zone\" d=\"M{:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z\"/>",
        x(0.0),
        y(0.0),
        x(top),
        y(0.0),
        x(top),
        y(top)
    );
    for t in &ticks {
        let label = decimal(*t, 2);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>\
             <line class=\"grid\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text>",
            x(*t),
            y(0.0),
            x(*t),
            y(top),
            x(0.0),
            y(*t),
            x(top),
            y(*t),
            x(*t),
            y(0.0) + 18.0,
            x(0.0) - 8.0,
            y(*t) + 4.0,
        );
    }
    let _ = write!(
        svg,
        "<line class=\"diagonal\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>\
         <text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">TTS = TTR</text>\
         <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">time to recover (days)</text>\
         <text class=\"axis\" transform=\"translate(16 {:.1}) rotate(-90)\" text-anchor=\"middle\">time to survive (days)</text>",
        x(0.0),
        y(0.0),
        x(top),
        y(top),
        x(top) - 6.0,
        y(top) + 16.0,
        LEFT + plot_w / 2.0,
        HEIGHT - 10.0,
        TOP + plot_h / 2.0,
    );
    for (s, ttr) in &points {
        let class = if s.tts < *ttr {
            "point exposed"
        } else {
            "point"
        };
        let _ = write!(
            svg,
            "<a href=\"{}\" tabindex=\"-1\"><circle class=\"{class}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\">\
             <title>{}: TTS {}, TTR {}</title></circle></a>",
            xml(&href(&s.id)),
            x(*ttr),
            y(s.tts),
            xml(&s.id),
            days(s.tts, s.tts_capped),
            days(*ttr, false),
        );
    }
    svg.push_str("</svg>");
    svg
}
