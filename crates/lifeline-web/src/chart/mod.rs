//! Charts drawn on the server as SVG: no JavaScript, no library in the browser, the same
//! picture in every browser and in a screenshot. Written by hand rather than with plotters
//! (which lifeline-sim's day-by-day plot uses) because each point here is a link with a
//! title, which screen readers and keyboards reach; plotters draws shapes, not links.

mod montecarlo;
mod scatter;

pub use montecarlo::{RiskBar, p_stockout};
pub use scatter::tts_ttr;

/// `text` escaped for SVG/XML text and attribute values.
pub fn xml(text: &str) -> String {
    lifeline_text::xml_escaped(text)
}

/// Round axis ticks from 0 to at least `max`: about five, at 1, 2 or 5 × 10^k.
pub fn ticks(max: f64) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let count = (max / step).ceil() as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(365.0), vec![0.0, 100.0, 200.0, 300.0, 400.0]);
        assert_eq!(ticks(112.0), vec![0.0, 50.0, 100.0, 150.0]);
        assert_eq!(
            ticks(0.0),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(xml("a<b&\"c\u{202e}"), "a&lt;b&amp;&quot;c\\u{202e}");
    }
}
