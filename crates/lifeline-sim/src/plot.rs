//! The planner's picture of a run: days of supply on hand per hospital and item, day by
//! day, with the outage shaded. Rendered as SVG with `plotters` (no font files needed:
//! the SVG carries text, the viewer draws it).

use plotters::prelude::*;

use crate::report::SimReport;

/// Why a plot could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("the report has no day-by-day series: run the simulation with series")]
    NoSeries,
    #[error("drawing the plot failed: {0}")]
    Draw(String),
}

/// Draws up to `lines` demand nodes (the most affected first: by loss, then shortage
/// days, then id) as days of supply on hand at the end of each day.
pub fn svg(report: &SimReport, lines: usize) -> Result<String, PlotError> {
    let series = report.series.as_ref().ok_or(PlotError::NoSeries)?;
    let mut chosen: Vec<usize> = (0..report.demand_nodes.len())
        .filter(|&k| report.demand_nodes[k].demand > 0.0)
        .collect();
    chosen.sort_by(|&a, &b| {
        let (na, nb) = (&report.demand_nodes[a], &report.demand_nodes[b]);
        nb.loss
            .total_cmp(&na.loss)
            .then(nb.shortage_days.cmp(&na.shortage_days))
            .then(na.id.cmp(&nb.id))
    });
    chosen.truncate(lines.max(1));

    let days = f64::from(report.days.max(1));
    let cover: Vec<Vec<(f64, f64)>> = chosen
        .iter()
        .map(|&k| {
            let demand = report.demand_nodes[k].demand;
            series.stock[k]
                .iter()
                .enumerate()
                .map(|(day, stock)| (day as f64 + 1.0, stock / demand))
                .filter(|&(_, cover)| cover.is_finite())
                .collect()
        })
        .collect();
    let top = cover
        .iter()
        .flatten()
        .map(|&(_, y)| y)
        .fold(1.0_f64, f64::max)
        .min(f64::MAX / 2.0)
        * 1.08;

    let mut out = String::new();
    draw(
        report,
        &series.lowest_factor,
        &chosen,
        &cover,
        days,
        top,
        &mut out,
    )
    .map_err(|e| PlotError::Draw(e.to_string()))?;
    Ok(out)
}

fn draw(
    report: &SimReport,
    lowest_factor: &[f64],
    chosen: &[usize],
    cover: &[Vec<(f64, f64)>],
    days: f64,
    top: f64,
    out: &mut String,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(out, (1000, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let title = format!(
        "{}: days of supply on hand (shaded: capacity lost)",
        report.scenario
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..days, 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc("day")
        .y_desc("days of supply on hand")
        .light_line_style(WHITE.mix(0.0))
        .draw()?;

    // One band per run of days at the same capacity factor, darker the more is lost.
    let mut day = 0;
    while day < lowest_factor.len() {
        let factor = lowest_factor[day];
        let mut end = day + 1;
        while end < lowest_factor.len() && lowest_factor[end] == factor {
            end += 1;
        }
        if factor < 1.0 {
            let shade = RGBColor(214, 39, 40).mix(0.08 + 0.27 * (1.0 - factor));
            chart.draw_series(std::iter::once(Rectangle::new(
                [(day as f64, 0.0), (end as f64, top)],
                shade.filled(),
            )))?;
        }
        day = end;
    }

    for (line, (&k, points)) in chosen.iter().zip(cover).enumerate() {
        let colour = Palette99::pick(line).to_rgba();
        let node = &report.demand_nodes[k];
        let label = match node.first_stockout_day {
            Some(day) => format!("{} (out on day {day})", node.id),
            None => node.id.clone(),
        };
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                colour.stroke_width(2),
            ))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    root.present()?;
    Ok(())
}
