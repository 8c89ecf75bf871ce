//! The after-action report and improvement plan (AAR/IP) of a run, in Markdown and HTML.
//!
//! Laid out as HSEEP's AAR/IP is (shared/research/response-and-vendor-facts.md §5):
//! ratings per objective with the reason, strengths, areas for improvement with their
//! root cause, and improvement plan rows with the corrective action, capability, owner and
//! start and end dates. Then the run's timeline and, from the network, who ran short of
//! what and when. [`after_action`] builds one document; [`markdown`] and [`html`] render
//! it, every value escaped for its output.

use lifeline_text::xml_escaped;
use serde::Serialize;
use time::{Date, Duration};

use super::model::{Exercise, ExerciseTime, Run};
use super::score::{Rating, Scorecard};

/// One block of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "block", rename_all = "kebab-case")]
pub enum Block {
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    List {
        items: Vec<String>,
    },
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// A row of the improvement plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRow {
    pub objective: String,
    pub corrective_action: String,
    pub capability: String,
    pub owner: String,
    pub start: Date,
    pub end: Date,
}

/// The after-action report: its title and blocks, and the improvement plan's rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AfterAction {
    pub title: String,
    pub plan: Vec<PlanRow>,
    pub blocks: Vec<Block>,
}

fn number(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The improvement plan: one row per objective not rated P.
pub fn improvement_plan(exercise: &Exercise, run: &Run, scorecard: &Scorecard) -> Vec<PlanRow> {
    let start = run.held_at.date();
    let end = start
        .checked_add(Duration::days(i64::from(exercise.improvement_days)))
        .unwrap_or(Date::MAX);
    let mut rows = Vec::new();
    for score in &scorecard.objectives {
        if score.rating == Rating::P {
            continue;
        }
        let objective = exercise.objectives.iter().find(|o| o.id == score.id);
        let authored = objective.map(|o| o.improvement.clone()).unwrap_or_default();
        let corrective_action = if authored.is_empty() {
            let short: Vec<String> = score
                .actions
                .iter()
                .filter(|a| a.rating != Rating::P)
                .map(|a| format!("{} (due {})", a.title, a.due))
                .collect();
            format!(
                "Revise the procedure and practise until these are done in time: {}",
                short.join("; ")
            )
        } else {
            authored
        };
        rows.push(PlanRow {
            objective: score.title.clone(),
            corrective_action,
            capability: score.capability.clone(),
            owner: score.owner.clone(),
            start,
            end,
        });
    }
    rows
}

/// Builds the report of a scored run.
pub fn after_action(exercise: &Exercise, run: &Run, scorecard: &Scorecard) -> AfterAction {
    let mut blocks = Vec::new();
    let title = format!("After-action report: {}", exercise.title);
    let scenario = &exercise.scenario;
    let mut summary = format!(
        "Exercise {} held on {}, played to {} at {}× speed, on the network {} (SHA-256 {}). Scenario: {} at {}, capacity left {}, expected time to recover {} days; T+0 stands for {}.",
        exercise.id,
        run.held_at.date(),
        run.ended,
        number(run.speed),
        run.network,
        run.network_sha256.get(..12).unwrap_or(&run.network_sha256),
        scenario.kind.as_str(),
        scenario.entities.join(", "),
        number(scenario.capacity_factor),
        number(scenario.expected_ttr),
        run.start.date(),
    );
    if let Some(d) = &run.draw {
        summary.push_str(&format!(
            " The outage duration was drawn from {} with seed {}: {} days.",
            d.distribution, d.seed, d.days
        ));
    }
    if !exercise.description.is_empty() {
        blocks.push(Block::Paragraph {
            text: exercise.description.clone(),
        });
    }
    blocks.push(Block::Paragraph { text: summary });

    blocks.push(Block::Heading {
        text: "Ratings".to_owned(),
    });
    blocks.push(Block::Paragraph {
        text: format!(
            "Each objective is rated the HSEEP way: P performed without challenges, S with some challenges, M with major challenges, U unable to be performed; the ratings are ordinal and not averaged. Objectives: {} P, {} S, {} M, {} U.",
            scorecard.counts[0], scorecard.counts[1], scorecard.counts[2], scorecard.counts[3]
        ),
    });
    blocks.push(Block::Table {
        header: ["Objective", "Capability", "Rating", "Reason"]
            .map(str::to_owned)
            .to_vec(),
        rows: scorecard
            .objectives
            .iter()
            .map(|o| {
                vec![
                    o.title.clone(),
                    o.capability.clone(),
                    format!("{} ({})", o.rating, o.rating.label()),
                    o.reason.clone(),
                ]
            })
            .collect(),
    });

    let strengths: Vec<String> = scorecard
        .objectives
        .iter()
        .flat_map(|o| {
            o.actions
                .iter()
                .filter(|a| a.rating == Rating::P)
                .map(move |a| format!("{}: {} {}.", o.title, a.title, a.reason))
        })
        .collect();
    blocks.push(Block::Heading {
        text: "Strengths".to_owned(),
    });
    if strengths.is_empty() {
        blocks.push(Block::Paragraph {
            text: "No expected action was performed within its time limit.".to_owned(),
        });
    } else {
        blocks.push(Block::List { items: strengths });
    }

    let areas: Vec<String> = scorecard
        .objectives
        .iter()
        .flat_map(|o| {
            o.actions
                .iter()
                .filter(|a| a.rating != Rating::P)
                .map(move |a| {
                    format!(
                        "{} ({}): {} {}; rated {}.",
                        o.title, o.capability, a.title, a.reason, a.rating
                    )
                })
        })
        .collect();
    blocks.push(Block::Heading {
        text: "Areas for improvement".to_owned(),
    });
    if areas.is_empty() {
        blocks.push(Block::Paragraph {
            text: "Every expected action was performed within its time limit.".to_owned(),
        });
    } else {
        blocks.push(Block::List { items: areas });
    }

    let plan = improvement_plan(exercise, run, scorecard);
    blocks.push(Block::Heading {
        text: "Improvement plan".to_owned(),
    });
    if plan.is_empty() {
        blocks.push(Block::Paragraph {
            text: "No corrective action: every objective was performed without challenges."
                .to_owned(),
        });
    } else {
        blocks.push(Block::Table {
            header: [
                "Objective",
                "Corrective action",
                "Capability",
                "Owner",
                "Start",
                "End",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows: plan
                .iter()
                .map(|r| {
                    vec![
                        r.objective.clone(),
                        r.corrective_action.clone(),
                        r.capability.clone(),
                        r.owner.clone(),
                        r.start.to_string(),
                        r.end.to_string(),
                    ]
                })
                .collect(),
        });
    }

    blocks.push(Block::Heading {
        text: "Timeline".to_owned(),
    });
    let mut timeline: Vec<(ExerciseTime, u8, Vec<String>)> = Vec::new();
    for delivered in &run.injects {
        let title = exercise
            .inject(&delivered.inject)
            .map_or_else(|| delivered.inject.clone(), |i| i.title.clone());
        timeline.push((
            delivered.at,
            0,
            vec![delivered.at.to_string(), "inject".to_owned(), title],
        ));
    }
    for decision in &run.decisions {
        let titles: Vec<String> = decision
            .actions
            .iter()
            .map(|a| exercise.action_title(a).unwrap_or(a).to_owned())
            .collect();
        let mut text = titles.join("; ");
        if !decision.note.is_empty() {
            text.push_str(&format!(" ({})", decision.note));
        }
        timeline.push((
            decision.at,
            1,
            vec![decision.at.to_string(), "decision".to_owned(), text],
        ));
    }
    timeline.push((
        run.ended,
        2,
        vec![
            run.ended.to_string(),
            "end".to_owned(),
            "end of play".to_owned(),
        ],
    ));
    timeline.sort_by_key(|(at, kind, _)| (*at, *kind));
    blocks.push(Block::Table {
        header: ["Time", "Event", "What"].map(str::to_owned).to_vec(),
        rows: timeline.into_iter().map(|(.., row)| row).collect(),
    });

    if !run.impacts.is_empty() {
        blocks.push(Block::Heading {
            text: "Who runs short of what, and when".to_owned(),
        });
        for at in &run.impacts {
            let impact = &at.impact;
            let when = match &at.inject {
                Some(inject) => format!("After inject {inject} at {}", at.at),
                None => "At T+0".to_owned(),
            };
            let first = match impact.first_stockout_day {
                Some(day) => format!("the first stockout is on day {day}"),
                None => format!("nobody runs short within {} days", impact.days),
            };
            blocks.push(Block::Paragraph {
                text: format!(
                    "{when}: expected time to recover {} days, time to survive {} days; {first}.",
                    number(impact.expected_ttr),
                    number(impact.stress.tts),
                ),
            });
            let rows: Vec<Vec<String>> = impact
                .demand
                .iter()
                .filter(|d| d.first_stockout_day.is_some())
                .map(|d| {
                    vec![
                        d.id.clone(),
                        d.site.clone().unwrap_or_default(),
                        d.material.clone(),
                        d.first_stockout_day
                            .map(|x| x.to_string())
                            .unwrap_or_default(),
                        d.runs_short_at
                            .map(|t| t.date().to_string())
                            .unwrap_or_default(),
                        d.shortage_days.to_string(),
                    ]
                })
                .collect();
            if !rows.is_empty() {
                blocks.push(Block::Table {
                    header: [
                        "Demand",
                        "Site",
                        "Item",
                        "First stockout day",
                        "Runs short on",
                        "Days short",
                    ]
                    .map(str::to_owned)
                    .to_vec(),
                    rows,
                });
            }
        }
    }

    if !exercise.sources.is_empty() {
        blocks.push(Block::Heading {
            text: "Sources".to_owned(),
        });
        blocks.push(Block::List {
            items: exercise
                .sources
                .iter()
                .map(|s| match &s.url {
                    Some(url) => format!("{} <{url}>", s.title),
                    None => s.title.clone(),
                })
                .collect(),
        });
    }
    AfterAction {
        title,
        plan,
        blocks,
    }
}

/// Text for Markdown: control characters escaped (lifeline-text), line breaks as spaces,
/// the characters that make emphasis, code, links, HTML or table cells backslash-escaped
/// anywhere, and those that start a heading, list or quote escaped at the start, so no
/// value can add structure.
fn md(text: &str) -> String {
    let safe = lifeline_text::escaped(&text.replace(['\n', '\r'], " ")).into_owned();
    let mut out = String::with_capacity(safe.len() + 8);
    for (i, c) in safe.chars().enumerate() {
        if "\\`*_{}[]<>|~&".contains(c) || (i == 0 && "#-+>=".contains(c)) {
            out.push('\\');
        }
        out.push(c);
    }
    // `1. text` would start an ordered list.
    if let Some(dot) = out.find(['.', ')'])
        && dot > 0
        && out[..dot].chars().all(|c| c.is_ascii_digit())
    {
        out.insert(dot, '\\');
    }
    out
}

/// The report in Markdown.
pub fn markdown(report: &AfterAction) -> String {
    let mut out = format!("# {}\n", md(&report.title));
    for block in &report.blocks {
        out.push('\n');
        match block {
            Block::Heading { text } => out.push_str(&format!("## {}\n", md(text))),
            Block::Paragraph { text } => out.push_str(&format!("{}\n", md(text))),
            Block::List { items } => {
                for item in items {
                    out.push_str(&format!("- {}\n", md(item)));
                }
            }
            Block::Table { header, rows } => {
                let line = |cells: &[String]| {
                    format!(
                        "| {} |\n",
                        cells.iter().map(|c| md(c)).collect::<Vec<_>>().join(" | ")
                    )
                };
                out.push_str(&line(header));
                out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
                for row in rows {
                    out.push_str(&line(row));
                }
            }
        }
    }
    out
}

/// The report as one HTML document.
pub fn html(report: &AfterAction) -> String {
    let title = xml_escaped(&report.title);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}table{{border-collapse:collapse}}th,td{{border:1px solid #888;padding:.25rem .5rem;text-align:left;vertical-align:top}}</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n"
    );
    for block in &report.blocks {
        match block {
            Block::Heading { text } => out.push_str(&format!("<h2>{}</h2>\n", xml_escaped(text))),
            Block::Paragraph { text } => out.push_str(&format!("<p>{}</p>\n", xml_escaped(text))),
            Block::List { items } => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", xml_escaped(item)));
                }
                out.push_str("</ul>\n");
            }
            Block::Table { header, rows } => {
                out.push_str("<table>\n<thead><tr>");
                for h in header {
                    out.push_str(&format!("<th scope=\"col\">{}</th>", xml_escaped(h)));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        out.push_str(&format!("<td>{}</td>", xml_escaped(cell)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}
