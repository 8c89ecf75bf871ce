//! `lifeline exercise`: play a tabletop exercise on the terminal, score a run the HSEEP way,
//! and write its after-action report and improvement plan.

use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand, ValueEnum};
use lifeline_network::{Format as DocFormat, ValidatedNetwork};
use lifeline_response::exercise::{
    self, Decision, Delivered, Exercise, ExerciseTime, ImpactAt, Inject, Run, Scorecard, draw,
    play, read, report,
};
use lifeline_response::incident::{Impact, impact};

use crate::input;
use crate::render::{Column, Diag, Diags, Format, Table};
use crate::{Exit, Reported};

#[derive(Debug, Args)]
pub struct ExerciseArgs {
    #[command(subcommand)]
    command: ExerciseCommand,
}

#[derive(Debug, Subcommand)]
enum ExerciseCommand {
    /// Play an exercise's injects in accelerated or real time and record the decisions
    Run(RunArgs),
    /// Rate each objective of a run P, S, M or U (HSEEP), with the reason
    Score(ScoreArgs),
    /// The after-action report and improvement plan of a run
    Report(ReportArgs),
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The exercise (`lifeline-exercise/1`, YAML or JSON)
    file: PathBuf,
    /// Exercise seconds per wall-clock second: 60 plays a minute of exercise a second, 1
    /// is real time
    #[arg(long, default_value = "60", value_parser = parse_speed)]
    speed: f64,
    /// Scripted decisions, one a line: `T+1h30m ACTION [ACTION...] [# note]`; without it
    /// decisions are read from stdin as the exercise plays (`end` stops play)
    #[arg(long, value_name = "FILE")]
    decisions: Option<PathBuf>,
    /// Write the run record (JSON) here, for `exercise score` and `exercise report`
    #[arg(long, value_name = "RUN.json")]
    record: Option<PathBuf>,
    /// Draw the outage duration from the exercise's `scenario.draw` distribution
    #[arg(long, requires = "seed")]
    draw: bool,
    /// The seed of the draw: one seed, one duration
    #[arg(long, requires = "draw")]
    seed: Option<u64>,
}

#[derive(Debug, Args)]
struct ScoreArgs {
    /// A run record written by `exercise run --record`
    run: PathBuf,
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Markdown,
    Html,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// A run record written by `exercise run --record`
    run: PathBuf,
    #[arg(long)]
    format: ReportFormat,
    /// Write the report here instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
}

fn parse_speed(text: &str) -> Result<f64, String> {
    let x: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if (0.01..=1e9).contains(&x) {
        Ok(x)
    } else {
        Err("the speed is a number from 0.01 to 1e9 (1 is real time)".to_owned())
    }
}

pub fn run(args: &ExerciseArgs) -> anyhow::Result<Exit> {
    match &args.command {
        ExerciseCommand::Run(a) => play_run(a),
        ExerciseCommand::Score(a) => score(a),
        ExerciseCommand::Report(a) => write_report(a),
    }
}

/// Reads a file within the read limits, reporting a limit or IO error.
fn read_text(path: &Path) -> anyhow::Result<String> {
    input::read_text(path, || format!("cannot read `{}`", path.display()))
}

fn load_exercise(path: &Path) -> anyhow::Result<(Exercise, String)> {
    let text = read_text(path)?;
    match read::from_str(&text, DocFormat::detect(path, &text), path) {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                errln!("{}: {}", path.display(), Diag(warning));
            }
            Ok((loaded.exercise, exercise::sha256_hex(&text)))
        }
        Err(read::ExerciseError::Invalid { path, diagnostics }) => {
            errln!(
                "error: `{}` is not a valid exercise ({} error(s)):\n{}",
                path.display(),
                diagnostics.error_count(),
                Diags(&diagnostics.0)
            );
            Err(Reported.into())
        }
        Err(read::ExerciseError::Load(error)) => {
            errln!("error: {error}");
            Err(Reported.into())
        }
    }
}

/// The network the exercise names, relative to the exercise file, with its SHA-256.
fn load_network(
    exercise_path: &Path,
    exercise: &Exercise,
) -> anyhow::Result<(ValidatedNetwork, String)> {
    let path = exercise_path
        .parent()
        .unwrap_or(Path::new("."))
        .join(&exercise.network);
    let text = read_text(&path)?;
    let sha = exercise::sha256_hex(&text);
    let loaded = input::report_load(lifeline_network::from_str(
        &text,
        DocFormat::detect(&path, &text),
        &path,
    ))?;
    for warning in &loaded.warnings {
        errln!("{}: {}", path.display(), Diag(warning));
    }
    let problems = read::check_network(exercise, &loaded.network);
    if !problems.is_empty() {
        errln!(
            "error: `{}` does not fit the network `{}`:\n{}",
            exercise_path.display(),
            path.display(),
            Diags(&problems)
        );
        return Err(Reported.into());
    }
    Ok((loaded.network, sha))
}

fn now_utc() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// The exercise clock: wall time since play began, times the speed.
struct Clock {
    started: Instant,
    speed: f64,
}

impl Clock {
    fn now(&self) -> ExerciseTime {
        let seconds = self.started.elapsed().as_secs_f64() * self.speed;
        // Clamped to a year of exercise time, so the cast cannot overflow.
        ExerciseTime::from_seconds(seconds.min(exercise::model::MAX_EXERCISE_SECONDS as f64) as u64)
    }

    /// The wall time until the exercise clock reads `at`.
    fn until(&self, at: ExerciseTime) -> Duration {
        let target = Duration::from_secs_f64(at.seconds() as f64 / self.speed);
        target.saturating_sub(self.started.elapsed())
    }
}

/// One line of who runs short of what and when, then the first few demand nodes.
fn show_impact(out: &mut dyn Write, impact: &Impact) -> io::Result<()> {
    match impact.first_stockout_day {
        Some(day) => outln!(
            out,
            "  impact: first stockout on day {day}; time to survive {} days; expected time to recover {} days",
            crate::output::quantity(impact.stress.tts),
            crate::output::quantity(impact.expected_ttr)
        )?,
        None => outln!(
            out,
            "  impact: nobody runs short within {} days; expected time to recover {} days",
            impact.days,
            crate::output::quantity(impact.expected_ttr)
        )?,
    }
    let mut short: Vec<_> = impact
        .demand
        .iter()
        .filter_map(|d| d.first_stockout_day.map(|day| (day, d)))
        .collect();
    short.sort_by_key(|(day, d)| (*day, d.id.clone()));
    for (day, d) in short.iter().take(5) {
        let date = d
            .runs_short_at
            .map(|t| t.date().to_string())
            .unwrap_or_default();
        outln!(out, "    {} runs short on day {day} ({date})", d.id)?;
    }
    if short.len() > 5 {
        outln!(out, "    … and {} more", short.len() - 5)?;
    }
    Ok(())
}

fn show_inject(out: &mut dyn Write, inject: &Inject, impacts: &[ImpactAt]) -> io::Result<()> {
    outln!(out)?;
    outln!(
        out,
        "[{}] INJECT {}: {}",
        inject.at,
        inject.id,
        inject.title
    )?;
    if !inject.text.is_empty() {
        outln!(out, "  {}", inject.text.trim())?;
    }
    if let Some(change) = &inject.change {
        let mut parts = Vec::new();
        if !change.add_entities.is_empty() {
            parts.push(format!("also down: {}", change.add_entities.join(", ")));
        }
        if let Some(f) = change.capacity_factor {
            parts.push(format!("capacity left {}", crate::output::quantity(f)));
        }
        if let Some(t) = change.expected_ttr {
            parts.push(format!(
                "expected time to recover {} days",
                crate::output::quantity(t)
            ));
        }
        outln!(out, "  scenario: {}", parts.join("; "))?;
    }
    let this = impacts
        .iter()
        .find(|i| i.inject.as_deref() == Some(inject.id.as_str()));
    if let Some(at) = this {
        show_impact(out, &at.impact)?;
    }
    out.flush()
}

/// Progress on stderr after an inject: what comes next on the exercise clock.
fn show_next(exercise: &Exercise, delivered: usize) {
    let next = match exercise.injects.get(delivered) {
        Some(inject) => format!("next inject at {}", inject.at),
        None => "no more injects".to_owned(),
    };
    crate::progress::tracing_line(&format!(
        "-- inject {delivered} of {}; {next}; play ends at {}",
        exercise.injects.len(),
        exercise.end
    ));
}

fn show_decision(out: &mut dyn Write, exercise: &Exercise, decision: &Decision) -> io::Result<()> {
    let titles: Vec<String> = decision
        .actions
        .iter()
        .map(|a| format!("{a} ({})", exercise.action_title(a).unwrap_or_default()))
        .collect();
    outln!(out, "[{}] decision: {}", decision.at, titles.join("; "))?;
    out.flush()
}

fn play_run(args: &RunArgs) -> anyhow::Result<Exit> {
    let (exercise, exercise_sha256) = load_exercise(&args.file)?;
    let (network, network_sha256) = load_network(&args.file, &exercise)?;
    let drawn = match (args.draw, args.seed) {
        (true, Some(seed)) => match draw::draw(&exercise, seed) {
            Ok(d) => Some(d),
            Err(e) => {
                errln!("error: `{}`: {e}", args.file.display());
                return Err(Reported.into());
            }
        },
        _ => None,
    };
    let scripted = match &args.decisions {
        Some(path) => {
            let text = read_text(path)?;
            match play::read_decisions(&text, &exercise) {
                Ok((decisions, warnings)) => {
                    for w in &warnings {
                        errln!("{}: {}", path.display(), Diag(w));
                    }
                    Some(decisions)
                }
                Err(problems) => {
                    errln!(
                        "error: `{}` holds {} invalid decision(s):\n{}",
                        path.display(),
                        problems.error_count(),
                        Diags(&problems.0)
                    );
                    return Err(Reported.into());
                }
            }
        }
        None => None,
    };
    let held_at = now_utc();
    let start = exercise.start.unwrap_or(held_at);

    // The impact at T+0 and after each inject that changes the scenario, computed before
    // play so that it is shown the moment the inject is.
    let mut impacts = Vec::new();
    for (at, inject, declaration) in play::declarations(&exercise, start, drawn.as_ref()) {
        match impact::compute(&network, &network_sha256, &declaration) {
            Ok(impact) => impacts.push(ImpactAt { at, inject, impact }),
            Err(problems) => {
                errln!(
                    "error: `{}`: the scenario{} cannot run on the network:\n{}",
                    args.file.display(),
                    inject
                        .map(|i| format!(" after inject `{i}`"))
                        .unwrap_or_default(),
                    Diags(&problems)
                );
                return Err(Reported.into());
            }
        }
    }

    let mut out = io::stdout().lock();
    outln!(out, "Exercise: {} ({})", exercise.title, exercise.id)?;
    outln!(
        out,
        "Scenario: {} at {}, capacity left {}, expected time to recover {} days; T+0 is {}",
        exercise.scenario.kind.as_str(),
        exercise.scenario.entities.join(", "),
        crate::output::quantity(exercise.scenario.capacity_factor),
        crate::output::quantity(
            drawn
                .as_ref()
                .map_or(exercise.scenario.expected_ttr, |d| f64::from(d.days))
        ),
        start.date()
    )?;
    if let Some(d) = &drawn {
        outln!(
            out,
            "Outage drawn from {} with seed {}: {} days",
            d.distribution,
            d.seed,
            d.days
        )?;
    }
    outln!(
        out,
        "Play: to {} at {}× speed; {}",
        exercise.end,
        crate::output::quantity(args.speed),
        if scripted.is_some() {
            "decisions from the scripted file".to_owned()
        } else {
            format!(
                "type the action ids performed, one decision a line (`end` stops play); expected: {}",
                exercise.action_ids().join(", ")
            )
        }
    )?;
    if let Some(first) = impacts.first() {
        outln!(out, "Who runs short of what, and when, at T+0:")?;
        show_impact(&mut out, &first.impact)?;
    }
    out.flush()?;

    let clock = Clock {
        started: Instant::now(),
        speed: args.speed,
    };
    let mut delivered: Vec<Delivered> = Vec::new();
    let mut decisions: Vec<Decision> = Vec::new();
    let ended;
    if let Some(scripted) = &scripted {
        for step in play::schedule(&exercise, scripted) {
            std::thread::sleep(clock.until(step.at()));
            match step {
                play::Step::Inject(inject) => {
                    show_inject(&mut out, inject, &impacts)?;
                    delivered.push(Delivered {
                        inject: inject.id.clone(),
                        at: inject.at,
                    });
                    show_next(&exercise, delivered.len());
                }
                play::Step::Decision(decision) => {
                    show_decision(&mut out, &exercise, decision)?;
                    decisions.push(decision.clone());
                }
            }
        }
        ended = exercise.end;
    } else {
        let (sender, receiver) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut next = 0;
        let mut input_open = true;
        ended = loop {
            let now = clock.now();
            if let Some(inject) = exercise.injects.get(next)
                && inject.at <= now
            {
                show_inject(&mut out, inject, &impacts)?;
                delivered.push(Delivered {
                    inject: inject.id.clone(),
                    at: inject.at,
                });
                next += 1;
                show_next(&exercise, next);
                continue;
            }
            if now >= exercise.end {
                break exercise.end;
            }
            let wake = exercise
                .injects
                .get(next)
                .map_or(exercise.end, |i| i.at.min(exercise.end));
            let wait = clock.until(wake).max(Duration::from_millis(1));
            if !input_open {
                std::thread::sleep(wait);
                continue;
            }
            match receiver.recv_timeout(wait) {
                Ok(line) => {
                    let now = clock.now().min(exercise.end);
                    if line.trim() == "end" {
                        break now;
                    }
                    match play::parse_decision(&line, Some(now), &exercise) {
                        Ok(None) => {}
                        Ok(Some(decision)) if decision.at > now => {
                            errln!(
                                "not recorded: {} is later than the exercise clock ({now})",
                                decision.at
                            );
                        }
                        Ok(Some(decision)) => {
                            show_decision(&mut out, &exercise, &decision)?;
                            decisions.push(decision);
                        }
                        Err(message) => errln!("not recorded: {message}"),
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => input_open = false,
            }
        };
        decisions.sort_by_key(|d| d.at);
    }
    outln!(out)?;
    outln!(out, "[{ended}] end of play")?;

    let run = Run {
        format: exercise::RUN_FORMAT.to_owned(),
        exercise: exercise.clone(),
        exercise_sha256,
        network: network.network().name.clone(),
        network_sha256,
        held_at,
        start,
        speed: args.speed,
        draw: drawn,
        injects: delivered,
        decisions,
        ended,
        impacts,
    };
    let card = exercise::score(&exercise, &run);
    outln!(out)?;
    score_table(&mut out, &card)?;
    out.flush()?;
    if let Some(path) = &args.record {
        crate::render::report(Some(path), |w| crate::output::json(w, &run))?;
        crate::progress::tracing_line(&format!("run recorded in {}", path.display()));
    }
    Ok(Exit::Success)
}

fn load_run(path: &Path) -> anyhow::Result<Run> {
    let text = read_text(path)?;
    match read::run_from_str(&text, path) {
        Ok(run) => Ok(run),
        Err(error) => {
            errln!("error: {error}");
            Err(Reported.into())
        }
    }
}

fn score_table(out: &mut dyn Write, card: &Scorecard) -> io::Result<()> {
    let mut table = Table::new([
        Column::text("objective"),
        Column::text("capability"),
        Column::text("rating"),
        Column::text("reason"),
    ]);
    for o in &card.objectives {
        table.row([
            o.id.clone(),
            o.capability.clone(),
            format!("{} ({})", o.rating, o.rating.label()),
            o.reason.clone(),
        ]);
    }
    table.write(out)?;
    outln!(
        out,
        "objectives: {} P, {} S, {} M, {} U (HSEEP ratings, not averaged)",
        card.counts[0],
        card.counts[1],
        card.counts[2],
        card.counts[3]
    )
}

fn score(args: &ScoreArgs) -> anyhow::Result<Exit> {
    let run = load_run(&args.run)?;
    let card = exercise::score(&run.exercise, &run);
    crate::render::report(None, |out| {
        match args.format {
            Format::Json => crate::output::json(out, &card)?,
            _ => score_table(out, &card)?,
        }
        Ok(())
    })?;
    Ok(Exit::Success)
}

fn write_report(args: &ReportArgs) -> anyhow::Result<Exit> {
    let run = load_run(&args.run)?;
    let card = exercise::score(&run.exercise, &run);
    let aar = report::after_action(&run.exercise, &run, &card);
    let text = match args.format {
        ReportFormat::Markdown => report::markdown(&aar),
        ReportFormat::Html => report::html(&aar),
    };
    crate::render::report(args.output.as_deref(), |out| {
        out.write_all(text.as_bytes())?;
        Ok(())
    })?;
    Ok(Exit::Success)
}
