//! Tabletop exercises: reading (every problem at its path), the worked example of
//! docs/exercises.md scored as the docs score it by hand, the monotonicity of the ratings,
//! seeded draws, and the after-action report's escaping.

use std::path::{Path, PathBuf};

use lifeline_network::Format;
use lifeline_response::exercise::{
    self, Decision, Delivered, Exercise, ExerciseTime, Rating, Run, draw, play, read, report,
};
use proptest::prelude::*;
use time::macros::datetime;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example_text() -> String {
    std::fs::read_to_string(repo().join("examples/exercises/distributor-ransomware.yaml"))
        .expect("the example exercise")
}

fn example() -> Exercise {
    let text = example_text();
    let loaded = read::from_str(
        &text,
        Format::Yaml,
        Path::new("distributor-ransomware.yaml"),
    )
    .expect("the example reads");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    loaded.exercise
}

fn scripted(exercise: &Exercise) -> Vec<Decision> {
    let text = std::fs::read_to_string(
        repo().join("examples/exercises/distributor-ransomware.decisions.txt"),
    )
    .expect("the decisions file");
    let (decisions, warnings) = play::read_decisions(&text, exercise).expect("decisions read");
    assert!(warnings.is_empty());
    decisions
}

fn run_of(exercise: &Exercise, decisions: Vec<Decision>) -> Run {
    Run {
        format: exercise::RUN_FORMAT.to_owned(),
        exercise: exercise.clone(),
        exercise_sha256: String::new(),
        network: "distributor-ransomware".to_owned(),
        network_sha256: "0".repeat(64),
        held_at: datetime!(2026-12-06 09:00 UTC),
        start: datetime!(2026-03-02 08:00 UTC),
        speed: 60.0,
        draw: None,
        injects: exercise
            .injects
            .iter()
            .map(|i| Delivered {
                inject: i.id.clone(),
                at: i.at,
            })
            .collect(),
        decisions,
        ended: exercise.end,
        impacts: Vec::new(),
    }
}

fn t(text: &str) -> ExerciseTime {
    ExerciseTime::parse_time(text).expect("a time")
}

#[test]
fn exercise_times_read_and_write_back() {
    for (text, seconds) in [
        ("T+0", 0),
        ("T+2h", 7_200),
        ("T+1d", 86_400),
        ("T+1d4h30m", 102_600),
        ("T+90m", 5_400),
        ("T+45s", 45),
    ] {
        let time = t(text);
        assert_eq!(time.seconds(), seconds, "{text}");
        assert_eq!(ExerciseTime::parse_time(&time.to_string()), Ok(time));
    }
    assert_eq!(t("T+90m").to_string(), "T+1h30m");
    for bad in [
        "2h",
        "T+",
        "T+2",
        "T+h",
        "T+2x",
        "T+1h1d",
        "T+2h2h",
        "T+-1h",
        "T+999999d",
    ] {
        assert!(ExerciseTime::parse_time(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_example_reads_with_due_times_from_its_injects() {
    let exercise = example();
    assert_eq!(exercise.id, "distributor-ransomware");
    assert_eq!(exercise.end, t("T+2d"));
    assert_eq!(exercise.injects.len(), 3);
    assert_eq!(exercise.injects[1].at, t("T+2h"));
    let due = |id: &str| {
        exercise
            .objectives
            .iter()
            .flat_map(|o| &o.actions)
            .find(|a| a.id == id)
            .map(|a| (a.due, a.allowed_late))
            .expect("the action")
    };
    assert_eq!(due("activate-eop"), (t("T+2h"), t("T+2h")));
    // 1 day after the T+2h inject.
    assert_eq!(due("alternative-distributor"), (t("T+1d2h"), t("T+1d")));
    assert_eq!(due("notify-partners"), (t("T+1d4h"), t("T+4h")));
}

#[test]
fn an_embedded_exercise_reads_back_equal() {
    let exercise = example();
    let json = serde_json::to_string(&exercise).expect("JSON");
    let again = read::from_str(&json, Format::Json, Path::new("embedded.json"))
        .expect("reads back")
        .exercise;
    assert_eq!(again, exercise);
}

/// The worked example of docs/exercises.md: each objective's rating as scored there by
/// hand, read from the docs' table so that the docs and the code cannot drift apart.
#[test]
fn the_worked_example_scores_as_the_docs_score_it_by_hand() {
    let exercise = example();
    let run = run_of(&exercise, scripted(&exercise));
    let card = exercise::score(&exercise, &run);
    let docs = std::fs::read_to_string(repo().join("docs/exercises.md")).expect("docs");
    let table = docs
        .split("<!-- worked-example-ratings -->")
        .nth(1)
        .expect("the marked table in docs/exercises.md");
    let mut by_hand: Vec<(String, String)> = Vec::new();
    for line in table.lines().skip_while(|l| l.trim().is_empty()) {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | `objective id` | ... | rating |
        let (id, rating) = (cells[1], cells[cells.len() - 2]);
        if id.starts_with('`') {
            by_hand.push((id.trim_matches('`').to_owned(), rating.to_owned()));
        }
    }
    assert_eq!(by_hand.len(), 4, "{table}");
    let computed: Vec<(String, String)> = card
        .objectives
        .iter()
        .map(|o| (o.id.clone(), o.rating.letter().to_owned()))
        .collect();
    assert_eq!(computed, by_hand);
    // And the reasons the docs give.
    let get = |id: &str| {
        card.objectives
            .iter()
            .find(|o| o.id == id)
            .expect("objective")
    };
    assert_eq!(get("ordering").rating, Rating::P);
    assert_eq!(
        get("command").reason,
        "`set-operational-period` performed at T+5h, 1h after its T+4h limit (within the 4h allowed late) (S); 2 of 3 performed in time"
    );
    assert_eq!(
        get("clinical").reason,
        "`conservation` never performed (required; due T+1d12h) (U); 0 of 1 performed in time"
    );
    assert_eq!(
        get("communication").reason,
        "`notify-partners` performed at T+1d10h, 6h after its T+1d4h limit (more than the 4h allowed late) (M); 1 of 2 performed in time"
    );
    assert_eq!(card.counts, [1, 1, 1, 1]);
}

#[test]
fn every_problem_is_named_by_its_path() {
    let text = r#"
format: lifeline-exercise/1
id: Bad Id
title: t
network: n.json
scenario: {kind: ransomwar, entities: [], capacity_factor: 2, expected_ttr: 0, draw: "lognormal:x"}
injects:
  - {id: a, at: T+2h, title: A}
  - {id: b, at: "2h", title: B, change: {}}
  - {id: a, at: T+1h, title: C, colour: red}
objectives:
  - id: o
    title: O
    capability: C
    owner: X
    actions:
      - {id: x, title: X, after: bb, within: 2h}
      - {id: y, title: Y, within: 2h, by: T+3h}
      - {id: z, title: Z}
      - {id: w, title: W, by: T+1h, after: a}
"#;
    let Err(read::ExerciseError::Invalid { diagnostics, .. }) =
        read::from_str(text, Format::Yaml, Path::new("bad.yaml"))
    else {
        panic!("invalid");
    };
    let shown = diagnostics.to_string();
    for expected in [
        "id: `Bad Id` is not an id",
        "scenario.kind: unknown incident kind `ransomwar`",
        "did you mean `ransomware`?",
        "scenario.entities: name at least one entity",
        "scenario.capacity_factor: must be a number from 0 to 1",
        "scenario.expected_ttr: must be more than 0 days",
        "scenario.draw:",
        "injects[1].at: `2h` is not a time like",
        "injects[1].change: a change names",
        "injects[2].id: duplicate inject id `a`",
        "injects[2].at: T+1h is before the inject above it (T+2h)",
        "injects[2].colour: unknown field",
        "objectives[0].actions[0].after: `bb` is no inject",
        "objectives[0].actions[1]: give either `within`",
        "objectives[0].actions[2]: missing its time limit",
        "objectives[0].actions[3].by: T+1h is before the inject it counts from (T+2h)",
    ] {
        assert!(
            shown.contains(expected),
            "missing {expected:?} in:\n{shown}"
        );
    }
}

#[test]
fn decision_lines_name_unknown_actions_and_missing_times() {
    let exercise = example();
    let now = Some(t("T+1h"));
    let d = play::parse_decision("phone-orders, check-stock # by phone", now, &exercise)
        .expect("reads")
        .expect("a decision");
    assert_eq!(d.at, t("T+1h"));
    assert_eq!(d.actions, ["phone-orders", "check-stock"]);
    assert_eq!(d.note, "by phone");
    assert_eq!(
        play::parse_decision("  # only a comment", now, &exercise),
        Ok(None)
    );
    let err = play::parse_decision("T+1h phone-order", None, &exercise).expect_err("typo");
    assert!(err.contains("did you mean `phone-orders`?"), "{err}");
    let err = play::parse_decision("phone-orders", None, &exercise).expect_err("no time");
    assert!(err.contains("starts with its exercise time"), "{err}");
    let Err(problems) = play::read_decisions(
        "T+2h phone-orders\nT+1h check-stock\nT+3h nope\n",
        &exercise,
    ) else {
        panic!("out of order");
    };
    let shown = problems.to_string();
    assert!(
        shown.contains("line 2: T+1h is before the decision above it"),
        "{shown}"
    );
    assert!(shown.contains("line 3: `nope` is no action"), "{shown}");
}

#[test]
fn scripted_steps_come_in_time_order_injects_first() {
    let exercise = example();
    let decisions = scripted(&exercise);
    let steps = play::schedule(&exercise, &decisions);
    let times: Vec<ExerciseTime> = steps.iter().map(play::Step::at).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    assert!(matches!(steps[0], play::Step::Inject(i) if i.id == "encrypted"));
    assert_eq!(steps.len(), 3 + decisions.len());
}

#[test]
fn the_scenario_changes_with_its_injects() {
    let exercise = example();
    let start = datetime!(2026-03-02 08:00 UTC);
    let drawn = draw::draw(&exercise, 7).expect("a draw");
    let declarations = play::declarations(&exercise, start, Some(&drawn));
    assert_eq!(declarations.len(), 3);
    assert_eq!(declarations[0].2.entities, ["eorder-medsupply"]);
    assert_eq!(declarations[0].2.expected_ttr, f64::from(drawn.days));
    assert_eq!(declarations[1].2.capacity_factor, 0.6);
    assert_eq!(declarations[2].1.as_deref(), Some("second-dc"));
    assert_eq!(
        declarations[2].2.entities,
        ["eorder-medsupply", "dc-medsupply-east", "dc-medsupply-west"]
    );
    assert_eq!(declarations[2].2.capacity_factor, 0.3);
    assert_eq!(declarations[2].2.expected_ttr, 28.0);
    assert!(declarations.iter().all(|(.., d)| d.declared_at == start));
}

#[test]
fn a_seed_draws_the_same_outage_every_time_and_seeds_differ() {
    let exercise = example();
    let a = draw::draw(&exercise, 42).expect("draw");
    assert_eq!(a, draw::draw(&exercise, 42).expect("draw"));
    assert_eq!(a.distribution, "ransomware-downtime");
    let days: std::collections::HashSet<u32> = (0..20)
        .map(|s| draw::draw(&exercise, s).expect("draw").days)
        .collect();
    assert!(days.len() > 3, "{days:?}");
    let fixed: lifeline_sim::Distribution = "fixed:12".parse().expect("fixed");
    assert_eq!(draw::days(&fixed, 99), 12);
}

/// A seed draws what `lifeline montecarlo --seed S` draws in its replication 0 for the
/// same outage with its start fixed at day 0.
#[test]
fn a_draw_is_the_monte_carlo_replication_0() {
    let network = lifeline_network::load(&repo().join("examples/distributor-ransomware.json"))
        .expect("the example network")
        .network;
    let duration = lifeline_sim::Distribution::ransomware_downtime();
    let outage = lifeline_sim::Outage {
        targets: vec![lifeline_network::Target::Platform(
            "eorder-medsupply".to_owned(),
        )],
        capacity_factor: 0.0,
        start: lifeline_sim::Distribution::Fixed(0.0),
        duration: duration.clone(),
        independent: false,
        downtime_cost: None,
    };
    let simulator = lifeline_sim::Simulator::new(&network);
    let mut compared = 0;
    for seed in 0..12 {
        let drawn = draw::days(&duration, seed);
        if drawn >= 400 {
            continue;
        }
        let replication = simulator.replication(&outage, seed, 0, 400);
        assert_eq!(replication.outage_days, drawn, "seed {seed}");
        compared += 1;
    }
    assert!(compared > 8);
}

#[test]
fn the_report_has_the_aar_ip_parts_and_escapes_every_value() {
    let mut exercise = example();
    exercise.objectives[2].title = "<script>alert(1)</script> | *x* \u{1b}[2J".to_owned();
    let run = run_of(&exercise, scripted(&exercise));
    let card = exercise::score(&exercise, &run);
    let aar = report::after_action(&exercise, &run, &card);
    assert_eq!(aar.plan.len(), 3, "S, M and U objectives get a row");
    assert_eq!(aar.plan[0].owner, "Emergency management");
    assert_eq!(aar.plan[0].start.to_string(), "2026-12-06");
    assert_eq!(aar.plan[0].end.to_string(), "2027-03-06");
    assert!(
        aar.plan[0]
            .corrective_action
            .starts_with("Add the distributor outage")
    );
    assert!(
        aar.plan[2].corrective_action.contains("Notify the clinics"),
        "{:?}",
        aar.plan[2]
    );
    let md = report::markdown(&aar);
    for part in [
        "## Ratings",
        "## Strengths",
        "## Areas for improvement",
        "## Improvement plan",
        "## Timeline",
    ] {
        assert!(md.contains(part), "{part}");
    }
    assert!(
        md.contains("\\<script\\>alert(1)\\</script\\> \\| \\*x\\*"),
        "{md}"
    );
    assert!(!md.contains('\u{1b}'));
    let html = report::html(&aar);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
    assert!(!html.contains('\u{1b}'));
}

/// The impact an exercise shows is `incident::impact::compute`'s for the scenario after
/// each inject: the numbers docs/exercises.md quotes.
#[test]
fn the_exercise_impact_is_the_incidents_and_the_docs_numbers() {
    let exercise = example();
    let path = repo().join("examples/distributor-ransomware.json");
    let text = std::fs::read_to_string(&path).expect("the network");
    let network = lifeline_network::from_str(&text, Format::Json, &path)
        .expect("valid")
        .network;
    let sha = exercise::sha256_hex(&text);
    let start = datetime!(2026-03-02 08:00 UTC);
    let first: Vec<Option<u32>> = play::declarations(&exercise, start, None)
        .iter()
        .map(|(.., declaration)| {
            lifeline_response::incident::impact::compute(&network, &sha, declaration)
                .expect("the impact")
                .first_stockout_day
        })
        .collect();
    assert_eq!(first, [None, Some(18), Some(11)]);
}

proptest! {
    #[test]
    fn exercise_times_write_back_to_themselves(seconds in 0u64..=exercise::model::MAX_EXERCISE_SECONDS) {
        let time = ExerciseTime::from_seconds(seconds);
        prop_assert_eq!(ExerciseTime::parse_time(&time.to_string()), Ok(time));
        prop_assert_eq!(ExerciseTime::parse_duration(&time.duration()), Ok(time));
    }

    /// Performing any action earlier (or at all, instead of never) never lowers any
    /// objective's rating.
    #[test]
    fn performing_an_action_earlier_never_lowers_a_rating(
        times in proptest::collection::vec(proptest::option::of(0u64..(3 * 86_400)), 8),
        which in 0usize..8,
        earlier_by in 1u64..86_400,
        never_to_some in any::<bool>(),
    ) {
        let exercise = example();
        let ids = exercise.action_ids();
        let decisions_of = |times: &[Option<u64>]| -> Vec<Decision> {
            let mut ds: Vec<Decision> = ids
                .iter()
                .zip(times)
                .filter_map(|(id, at)| at.map(|s| Decision {
                    at: ExerciseTime::from_seconds(s),
                    actions: vec![(*id).to_owned()],
                    note: String::new(),
                }))
                .collect();
            ds.sort_by_key(|d| d.at);
            ds
        };
        let which = which % ids.len();
        let mut earlier = times.clone();
        earlier[which] = match times[which] {
            Some(s) => Some(s.saturating_sub(earlier_by)),
            None if never_to_some => Some(earlier_by),
            None => None,
        };
        let before = exercise::score(&exercise, &run_of(&exercise, decisions_of(&times)));
        let after = exercise::score(&exercise, &run_of(&exercise, decisions_of(&earlier)));
        for (b, a) in before.objectives.iter().zip(&after.objectives) {
            prop_assert!(a.rating <= b.rating, "{}: {} then {}", b.id, b.rating, a.rating);
        }
    }
}
