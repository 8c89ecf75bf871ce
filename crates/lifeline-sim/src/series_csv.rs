//! The day-by-day series of a run as CSV: one row per day and demand node, as `lifeline
//! simulate --series` writes it and the dashboard's simulation page offers it.

use std::io::Write;

use lifeline_network::significant;

use crate::report::SimReport;

/// Why the series could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SeriesError {
    #[error("the run recorded no series: run the simulation with series")]
    NoSeries,
    #[error("writing the series: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing the series: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes `day,node,material,on_hand,days_of_supply,unmet,lowest_capacity_factor`, one
/// row per day and demand node (days of supply empty for a node without demand). Text
/// cells are made safe for spreadsheets ([`lifeline_text::csv_cell`]).
///
/// # Errors
///
/// [`SeriesError::NoSeries`] when the report was run without
/// [`SimOptions::with_series`](crate::SimOptions::with_series), or the writer's error.
pub fn write_series(out: impl Write, report: &SimReport) -> Result<(), SeriesError> {
    let series = report.series.as_ref().ok_or(SeriesError::NoSeries)?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "day",
        "node",
        "material",
        "on_hand",
        "days_of_supply",
        "unmet",
        "lowest_capacity_factor",
    ])?;
    let text = |x: &str| lifeline_text::csv_cell(x).into_owned();
    for day in 0..report.days as usize {
        for (k, node) in report.demand_nodes.iter().enumerate() {
            let stock = series.stock[k][day];
            let cover = if node.demand > 0.0 {
                significant(stock / node.demand).to_string()
            } else {
                String::new()
            };
            writer.write_record([
                day.to_string(),
                text(&node.id),
                text(&node.material),
                stock.to_string(),
                cover,
                series.unmet[k][day].to_string(),
                series.lowest_factor[day].to_string(),
            ])?;
        }
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use lifeline_network::{Format, from_str};

    use super::*;
    use crate::{SimOptions, Simulator};

    #[test]
    fn one_row_per_day_and_demand_node() {
        let doc = r#"{"format": "lifeline-network/1", "nodes": [
            {"id": "S", "ttr": 5},
            {"id": "H", "demand": 10, "inventory": 30}],
          "edges": [{"from": "S", "to": "H", "lead_time": 1}]}"#;
        let loaded = from_str(doc, Format::Json, "doc.json".as_ref()).expect("a network");
        let network = loaded.network;
        let simulator = Simulator::new(&network);
        let scenario = &network.scenarios()[0];
        let plain = simulator.run(scenario, &SimOptions::days(3));
        assert!(matches!(
            write_series(Vec::new(), &plain),
            Err(SeriesError::NoSeries)
        ));
        let report = simulator.run(scenario, &SimOptions::days(3).with_series());
        let mut out = Vec::new();
        write_series(&mut out, &report).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "day,node,material,on_hand,days_of_supply,unmet,lowest_capacity_factor",
                "0,H,H,20,2,0,0",
                "1,H,H,10,1,0,0",
                "2,H,H,0,0,0,0",
            ]
        );
    }
}
