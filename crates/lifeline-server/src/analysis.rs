//! The glue between stored documents and the analysis libraries: reading an uploaded or
//! stored network, and running a job into the same JSON bytes the CLI writes. No analysis
//! here: it is all in lifeline-network, lifeline-stress and lifeline-sim.

use std::io::Read as _;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lifeline_network::{Format, LoadError, Loaded, ReadLimits, Scenario, ValidatedNetwork};
use lifeline_sim::{MonteCarlo, OutageSpec, SimOptions, Simulator};
use lifeline_store::{JobKind, NetworkUpload, StoredNetwork, UploadFormat};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ApiError, DiagnosticBody};

/// Most CSV tables in a zip, and most bytes unpacked from it in all.
const ZIP_ENTRIES: usize = 64;

/// Which format a request's `Content-Type` (its essence: [`crate::extract::content_type`])
/// names.
pub fn upload_format(content_type: Option<&str>) -> Result<UploadFormat, ApiError> {
    match content_type {
        Some("application/json") => Ok(UploadFormat::Json),
        Some("application/yaml" | "application/x-yaml" | "text/yaml") => Ok(UploadFormat::Yaml),
        Some("application/zip") => Ok(UploadFormat::Zip),
        _ => Err(ApiError::unsupported_media_type(
            "a network is application/json, application/yaml, or application/zip (a zip of CSV tables)",
        )),
    }
}

/// Why a network did not load, as an API error listing every diagnostic.
fn load_error(error: LoadError, name: &str, scratch: Option<&Path>) -> ApiError {
    // Messages that name a scratch folder name the upload instead.
    let clean = |text: String| match scratch {
        Some(dir) => text.replace(&dir.display().to_string(), name),
        None => text,
    };
    match error {
        LoadError::Invalid { diagnostics, .. } => ApiError::invalid_document(
            format!(
                "`{name}` is not a valid network ({} error(s))",
                diagnostics.error_count()
            ),
            diagnostics.0.iter().map(DiagnosticBody::of).collect(),
        ),
        LoadError::Limit { .. } => ApiError::too_large(clean(error.to_string())),
        other => ApiError::invalid_document(clean(other.to_string()), Vec::new()),
    }
}

/// An uploaded document's bytes as text; `name` names it in the 422 when they are not UTF-8.
pub(crate) fn utf8_text<'a>(bytes: &'a [u8], name: &str) -> Result<&'a str, ApiError> {
    std::str::from_utf8(bytes).map_err(|e| {
        ApiError::invalid_document(
            format!("`{name}` is not UTF-8 text (byte {})", e.valid_up_to()),
            Vec::new(),
        )
    })
}

/// As [`utf8_text`], for a document kept as text in the store: no text column of
/// PostgreSQL holds a NUL (a YAML comment or a JSON string could carry one), so it is
/// refused here with the document's name.
pub(crate) fn stored_text<'a>(bytes: &'a [u8], name: &str) -> Result<&'a str, ApiError> {
    let text = utf8_text(bytes, name)?;
    if text.contains('\0') {
        return Err(ApiError::invalid_document(
            format!("`{name}` holds a NUL byte"),
            Vec::new(),
        ));
    }
    Ok(text)
}

/// Reads a network from its bytes, with every diagnostic on failure.
pub fn load(format: UploadFormat, bytes: &[u8], limits: &ReadLimits) -> Result<Loaded, ApiError> {
    match format {
        UploadFormat::Json | UploadFormat::Yaml => {
            let name = if format == UploadFormat::Json {
                "upload.json"
            } else {
                "upload.yaml"
            };
            let text = utf8_text(bytes, name)?;
            let syntax = if format == UploadFormat::Json {
                Format::Json
            } else {
                Format::Yaml
            };
            lifeline_network::from_str_with(text, syntax, Path::new(name), limits)
                .map_err(|e| load_error(e, name, None))
        }
        UploadFormat::Zip => load_zip(bytes, limits),
    }
}

/// A zip of CSV tables: unpacked, within limits, into a scratch folder, and read as the
/// CLI reads a folder of tables. Entries must be plain `NAME.csv` files at the top level
/// (no folders, no `..`: nothing can be written outside the scratch folder).
fn load_zip(bytes: &[u8], limits: &ReadLimits) -> Result<Loaded, ApiError> {
    let bad = |message: String| ApiError::invalid_document(message, Vec::new());
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("`upload.zip` is not a zip archive: {e}")))?;
    if archive.len() > ZIP_ENTRIES {
        return Err(bad(format!(
            "`upload.zip` holds {} entries; at most {ZIP_ENTRIES} CSV tables are read",
            archive.len()
        )));
    }
    let scratch = tempfile::tempdir().map_err(|e| ApiError::internal("zip scratch folder", &e))?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| bad(format!("`upload.zip`, entry {i}: {e}")))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map_err(|e| bad(format!("`upload.zip`, entry {i}: {e}")))?
            .into_owned();
        let plain = !name.contains(['/', '\\'])
            && name.ends_with(".csv")
            && name.len() > 4
            && !name.starts_with('.')
            && !name.chars().any(lifeline_text::is_unsafe);
        if !plain {
            return Err(bad(format!(
                "`upload.zip`: entry `{}` is not a CSV table at the top level (NAME.csv)",
                lifeline_text::excerpt(&name)
            )));
        }
        let mut text = Vec::new();
        (&mut entry)
            .take(limits.file_bytes.saturating_add(1))
            .read_to_end(&mut text)
            .map_err(|e| bad(format!("`upload.zip/{name}`: {e}")))?;
        total += text.len() as u64;
        if text.len() as u64 > limits.file_bytes || total > limits.file_bytes {
            return Err(ApiError::too_large(format!(
                "`upload.zip/{name}`: the tables unpack to over {} bytes",
                limits.file_bytes
            )));
        }
        std::fs::write(scratch.path().join(&name), &text)
            .map_err(|e| ApiError::internal("zip scratch file", &e))?;
    }
    lifeline_network::load_with(scratch.path(), limits)
        .map_err(|e| load_error(e, "upload.zip", Some(scratch.path())))
}

/// The stored form of an upload that loaded: its text (a zip as base64), digest and a
/// summary.
pub fn upload_of(format: UploadFormat, bytes: &[u8], loaded: &Loaded) -> NetworkUpload {
    let body = match format {
        UploadFormat::Zip => STANDARD.encode(bytes),
        // Checked to be UTF-8 by `load`.
        _ => String::from_utf8_lossy(bytes).into_owned(),
    };
    let network = loaded.network.network();
    NetworkUpload {
        format,
        body,
        sha256: lifeline_store::sha256_hex(bytes),
        bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        summary: serde_json::json!({
            "name": network.name,
            "nodes": network.nodes.len(),
            "edges": network.edges.len(),
            "sites": network.sites.len(),
            "platforms": network.platforms.len(),
            "items": network.items.len(),
            "scenarios": loaded.network.scenarios().len(),
            "warnings": loaded.warnings.len(),
        }),
    }
}

/// Reads a stored network version back.
pub fn load_stored(stored: &StoredNetwork) -> Result<Loaded, ApiError> {
    let bytes = match stored.version.format {
        UploadFormat::Zip => STANDARD
            .decode(&stored.body)
            .map_err(|e| ApiError::internal("stored zip", &e))?,
        _ => stored.body.clone().into_bytes(),
    };
    load(stored.version.format, &bytes, &ReadLimits::default())
}

/// Parameters of a stress test job: the CLI's `lifeline stress` flags.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StressParams {
    /// Network version to run (default: the latest).
    pub version: Option<i64>,
    /// Scenarios to run instead of the network's own (a list, as in a scenarios file).
    #[schema(value_type = Option<Vec<Object>>)]
    pub scenarios: Option<serde_json::Value>,
    /// Only the K highest-ranked scenarios in the report.
    #[schema(minimum = 1)]
    pub top: Option<usize>,
    /// Solve the TTR program even where TTS already covers TTR.
    #[serde(default)]
    pub solve_all: bool,
}

/// Parameters of a simulation job: the CLI's `lifeline simulate` flags.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateParams {
    pub version: Option<i64>,
    /// A scenario id among the network's (or `scenarios`), or an entity id with a `ttr`.
    pub scenario: String,
    #[schema(value_type = Option<Vec<Object>>)]
    pub scenarios: Option<serde_json::Value>,
    /// Days to simulate (default: the network's horizon).
    #[schema(minimum = 1, maximum = 36500)]
    pub days: Option<u32>,
}

/// Parameters of a Monte Carlo job: the CLI's `lifeline montecarlo` flags.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonteCarloParams {
    pub version: Option<i64>,
    /// Entities (nodes, sites or platforms) that go down together.
    pub outage: Vec<String>,
    /// Outage duration: `lognormal:MU,SIGMA`, `fixed:D`, `uniform:A,B`,
    /// `empirical:D1@P1,...`, `ransomware-downtime` (default) or `ransomware-recovery`.
    pub duration: Option<String>,
    /// Day the outage starts, drawn the same way (default `fixed:0`).
    pub start: Option<String>,
    /// Capacity left while down (default 0).
    pub capacity_factor: Option<f64>,
    /// Each entity draws its own duration.
    #[serde(default)]
    pub independent: bool,
    /// Replications (default 1000).
    #[schema(minimum = 1, maximum = 1000000)]
    pub replications: Option<u32>,
    /// Seed (default 1).
    pub seed: Option<u64>,
    #[schema(minimum = 1, maximum = 36500)]
    pub days: Option<u32>,
    /// Cost per outage day, for the money view.
    pub downtime_cost: Option<f64>,
}

impl MonteCarloParams {
    /// The job's stored parameters (every field but `version`), as the API and the pages
    /// queue them.
    pub fn job_params(&self) -> serde_json::Value {
        serde_json::json!({
            "outage": self.outage, "duration": self.duration, "start": self.start,
            "capacity_factor": self.capacity_factor, "independent": self.independent,
            "replications": self.replications, "seed": self.seed, "days": self.days,
            "downtime_cost": self.downtime_cost
        })
    }
}

const MAX_DAYS: u32 = 36_500;
const MAX_REPLICATIONS: u32 = 1_000_000;

fn scenarios_of(
    value: Option<&serde_json::Value>,
    network: &ValidatedNetwork,
) -> Result<Option<Vec<Scenario>>, ApiError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let text = value.to_string();
    match lifeline_network::scenarios_from_str(&text, Format::Json, Path::new("scenarios"), network)
    {
        Ok((scenarios, _warnings)) => Ok(Some(scenarios)),
        Err(LoadError::Invalid { diagnostics, .. }) => Err(ApiError::invalid_document(
            "`scenarios` is not valid".to_owned(),
            diagnostics.0.iter().map(DiagnosticBody::of).collect(),
        )
        .with_field("scenarios")),
        Err(other) => Err(ApiError::invalid("scenarios", other.to_string())),
    }
}

fn days_of(days: Option<u32>, network: &ValidatedNetwork) -> Result<u32, ApiError> {
    let days = days.unwrap_or_else(|| lifeline_sim::horizon_days(network));
    if days == 0 || days > MAX_DAYS {
        return Err(ApiError::invalid(
            "days",
            format!("must be 1 to {MAX_DAYS}"),
        ));
    }
    Ok(days)
}

/// A job checked against its network, ready to run: everything that can be wrong with the
/// request is found here, before it is queued.
pub enum Prepared {
    Stress {
        scenarios: Vec<Scenario>,
        top: Option<usize>,
        solve_all: bool,
    },
    Simulate {
        scenario: Scenario,
        days: u32,
    },
    MonteCarlo {
        outage: Box<lifeline_sim::Outage>,
        run: MonteCarlo,
    },
}

impl Prepared {
    /// How many steps the job has, for its progress.
    pub fn total(&self) -> i64 {
        let n = match self {
            Prepared::Stress { scenarios, .. } => scenarios.len(),
            Prepared::Simulate { .. } => 1,
            Prepared::MonteCarlo { run, .. } => run.replications as usize,
        };
        i64::try_from(n).unwrap_or(i64::MAX)
    }
}

/// Checks a job's parameters against `network`.
pub fn prepare(
    kind: JobKind,
    params: &serde_json::Value,
    network: &ValidatedNetwork,
) -> Result<Prepared, ApiError> {
    let parse_error = |e: serde_json::Error| ApiError::invalid("body", e.to_string());
    match kind {
        JobKind::Stress => {
            let p: StressParams = serde_json::from_value(params.clone()).map_err(parse_error)?;
            if p.top == Some(0) {
                return Err(ApiError::invalid("top", "must be at least 1"));
            }
            let scenarios =
                scenarios_of(p.scenarios.as_ref(), network)?.unwrap_or_else(|| network.scenarios());
            Ok(Prepared::Stress {
                scenarios,
                top: p.top,
                solve_all: p.solve_all,
            })
        }
        JobKind::Simulate => {
            let p: SimulateParams = serde_json::from_value(params.clone()).map_err(parse_error)?;
            let scenarios = scenarios_of(p.scenarios.as_ref(), network)?;
            let scenario = lifeline_sim::pick_scenario(network, &p.scenario, scenarios.as_deref())
                .map_err(|d| {
                    ApiError::invalid_document(d.message.clone(), vec![DiagnosticBody::of(&d)])
                        .with_field("scenario")
                })?;
            Ok(Prepared::Simulate {
                scenario,
                days: days_of(p.days, network)?,
            })
        }
        JobKind::Montecarlo => {
            let p: MonteCarloParams =
                serde_json::from_value(params.clone()).map_err(parse_error)?;
            let defaults = OutageSpec::default();
            let spec = OutageSpec {
                outage: p.outage,
                duration: p.duration.unwrap_or(defaults.duration),
                start: p.start.unwrap_or(defaults.start),
                capacity_factor: p.capacity_factor.unwrap_or(defaults.capacity_factor),
                independent: p.independent,
            };
            if spec.outage.is_empty() {
                return Err(ApiError::invalid("outage", "name at least one entity"));
            }
            let invalid = |diagnostics: Vec<lifeline_network::Diagnostic>| {
                ApiError::invalid_document(
                    "the outage is not valid".to_owned(),
                    diagnostics.iter().map(DiagnosticBody::of).collect(),
                )
            };
            let mut outage = spec.build(network).map_err(invalid)?;
            outage.downtime_cost = p
                .downtime_cost
                .map(lifeline_sim::check_downtime_cost)
                .transpose()
                .map_err(|d| invalid(vec![d]))?;
            let replications = p.replications.unwrap_or(1000);
            if replications == 0 || replications > MAX_REPLICATIONS {
                return Err(ApiError::invalid(
                    "replications",
                    format!("must be 1 to {MAX_REPLICATIONS}"),
                ));
            }
            Ok(Prepared::MonteCarlo {
                outage: Box::new(outage),
                run: MonteCarlo {
                    replications,
                    seed: p.seed.unwrap_or(1),
                    days: days_of(p.days, network)?,
                    tts: None,
                },
            })
        }
    }
}

/// What a finished job leaves: the CLI's JSON report, byte for byte, and its warnings.
pub struct Outcome {
    pub document: String,
    pub warnings: Vec<String>,
}

fn pretty(value: &impl serde::Serialize) -> Result<String, String> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// Runs a prepared job; `tick` is called once per step done. Blocking: call it off the
/// async threads.
pub fn run(
    network: &ValidatedNetwork,
    prepared: &Prepared,
    tick: &(dyn Fn() + Sync),
) -> Result<Outcome, String> {
    match prepared {
        Prepared::Stress {
            scenarios,
            top,
            solve_all,
        } => {
            let config = lifeline_stress::StressConfig {
                skip_covered: !solve_all,
            };
            let report = lifeline_stress::run(network, scenarios, &config, &|| tick())
                .map_err(|e| e.to_string())?;
            Ok(Outcome {
                document: pretty(&lifeline_stress::report_document(&report, *top))?,
                warnings: Vec::new(),
            })
        }
        Prepared::Simulate { scenario, days } => {
            let simulator = Simulator::new(network);
            let warnings = lifeline_sim::run_warnings(&simulator, *days);
            let report = simulator.run(scenario, &SimOptions::days(*days));
            tick();
            Ok(Outcome {
                document: pretty(&report)?,
                warnings,
            })
        }
        Prepared::MonteCarlo { outage, run } => {
            let simulator = Simulator::new(network);
            let warnings = lifeline_sim::run_warnings(&simulator, run.days);
            let report = simulator
                .montecarlo_against_stress(outage, run, &|_| tick())
                .map_err(|e| e.to_string())?;
            Ok(Outcome {
                document: pretty(&report)?,
                warnings,
            })
        }
    }
}
