//! The exercise document (`lifeline-exercise/1`), the run record and exercise times.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use crate::incident::Impact;
use crate::playbook::{IncidentKind, Source};

/// The `format` value of an exercise document.
pub const FORMAT: &str = "lifeline-exercise/1";
/// The `format` value of a run record.
pub const RUN_FORMAT: &str = "lifeline-exercise-run/1";

/// A time on the exercise clock, whole seconds after T+0: written `T+0`, `T+2h`,
/// `T+1d4h30m`. Durations (`within: 2h`) are the same type written without `T+`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExerciseTime(u64);

/// The longest exercise time accepted: a year of exercise clock.
pub const MAX_EXERCISE_SECONDS: u64 = 366 * 86_400;

impl ExerciseTime {
    pub const ZERO: ExerciseTime = ExerciseTime(0);

    pub fn from_seconds(seconds: u64) -> ExerciseTime {
        ExerciseTime(seconds)
    }

    pub fn seconds(self) -> u64 {
        self.0
    }

    /// In days (the network's time unit).
    pub fn days(self) -> f64 {
        // At most a year of seconds: exact in an f64.
        self.0 as f64 / 86_400.0
    }

    pub fn saturating_add(self, other: ExerciseTime) -> ExerciseTime {
        ExerciseTime(self.0.saturating_add(other.0))
    }

    pub fn saturating_sub(self, other: ExerciseTime) -> ExerciseTime {
        ExerciseTime(self.0.saturating_sub(other.0))
    }

    /// Reads `T+0`, `T+2h`, `T+1d4h30m`, `T+90m`, `T+45s`: whole numbers of days (d),
    /// hours (h), minutes (m) and seconds (s), largest unit first, each at most once.
    pub fn parse_time(text: &str) -> Result<ExerciseTime, String> {
        let rest = text.trim().strip_prefix("T+").ok_or_else(|| {
            "an exercise time starts with `T+` (`T+0`, `T+2h`, `T+1d4h`)".to_owned()
        })?;
        ExerciseTime::parse_duration(rest)
    }

    /// Reads a duration: `0`, `2h`, `1d4h30m`, `90m`, `45s`.
    pub fn parse_duration(text: &str) -> Result<ExerciseTime, String> {
        let text = text.trim();
        if text == "0" {
            return Ok(ExerciseTime::ZERO);
        }
        if text.is_empty() {
            return Err("empty time: write `0`, `2h`, `1d4h` or `30m`".to_owned());
        }
        const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];
        let mut total: u64 = 0;
        let mut digits = String::new();
        let mut next_unit = 0;
        for c in text.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            let Some(position) = UNITS.iter().position(|(u, _)| *u == c) else {
                return Err(format!(
                    "unexpected `{}`: use whole numbers with the units d, h, m, s (`1d4h`)",
                    lifeline_text::escaped(&c.to_string())
                ));
            };
            if position < next_unit {
                return Err("units go largest first, each once (`1d4h30m`)".to_owned());
            }
            if digits.is_empty() {
                return Err(format!("`{c}` needs a number before it (`2{c}`)"));
            }
            let n: u64 = digits
                .parse()
                .map_err(|_| "the number is too large".to_owned())?;
            total = n
                .checked_mul(UNITS[position].1)
                .and_then(|s| total.checked_add(s))
                .filter(|&s| s <= MAX_EXERCISE_SECONDS)
                .ok_or_else(|| "longer than a year of exercise time".to_owned())?;
            digits.clear();
            next_unit = position + 1;
        }
        if !digits.is_empty() {
            return Err(format!(
                "`{digits}` needs a unit: d, h, m or s (`{digits}h`)"
            ));
        }
        Ok(ExerciseTime(total))
    }

    /// The duration form: `0`, `2h`, `1d4h30m`.
    pub fn duration(self) -> String {
        if self.0 == 0 {
            return "0".to_owned();
        }
        let mut out = String::new();
        let mut rest = self.0;
        for (unit, size) in [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)] {
            let n = rest / size;
            rest %= size;
            if n > 0 {
                out.push_str(&n.to_string());
                out.push(unit);
            }
        }
        out
    }
}

impl fmt::Display for ExerciseTime {
    /// `T+0`, `T+2h`, `T+1d4h30m`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T+{}", self.duration())
    }
}

impl Serialize for ExerciseTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for ExerciseTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ExerciseTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        ExerciseTime::parse_time(&text).map_err(serde::de::Error::custom)
    }
}

/// Durations serialise without `T+`.
mod duration_serde {
    pub mod option {
        use super::super::ExerciseTime;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(
            value: &Option<ExerciseTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => s.serialize_str(&v.duration()),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<ExerciseTime>, D::Error> {
            match Option::<String>::deserialize(d)? {
                Some(text) => ExerciseTime::parse_duration(&text)
                    .map(Some)
                    .map_err(serde::de::Error::custom),
                None => Ok(None),
            }
        }
    }
}

/// A tabletop exercise: a scenario on a network, injects at exercise times, and the
/// objectives the participants are rated on. The serde form is the authoring form, so an
/// exercise embedded in a run record reads back with [`super::read`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exercise {
    pub format: String,
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The network document, relative to the exercise file.
    pub network: String,
    /// The date and time T+0 stands for in the scenario; absent: when the run starts.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub start: Option<OffsetDateTime>,
    /// When play stops.
    pub end: ExerciseTime,
    /// Days from the exercise to the end date of the improvement plan's rows.
    pub improvement_days: u32,
    pub scenario: ScenarioSpec,
    pub injects: Vec<Inject>,
    pub objectives: Vec<Objective>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// The disruption at T+0, as an incident would be declared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSpec {
    pub kind: IncidentKind,
    /// Ids of the nodes, sites or platforms that are down.
    pub entities: Vec<String>,
    /// Capacity left while down, 0 to 1.
    pub capacity_factor: f64,
    /// Expected time to recover, days.
    pub expected_ttr: f64,
    /// The distribution `--draw` takes the outage duration from (lifeline-sim's syntax:
    /// `ransomware-downtime`, `lognormal:2.3,1`, `uniform:7,28`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw: Option<String>,
}

/// Something the facilitator tells the participants at an exercise time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inject {
    pub id: String,
    pub at: ExerciseTime,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// How the scenario changes with this inject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
}

/// A change of the scenario an inject brings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Further entities that go down.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_entities: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_factor: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_ttr: Option<f64>,
}

/// What the exercise evaluates: a capability, the actions expected of the participants
/// and when each is due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub id: String,
    pub title: String,
    /// The core capability (HSEEP), e.g. `Operational Coordination`.
    pub capability: String,
    /// Who owns the improvement plan rows of this objective.
    pub owner: String,
    /// The corrective action for the improvement plan when the objective is not performed
    /// without challenges; absent: one is written from the actions that fell short.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub improvement: String,
    pub actions: Vec<ExpectedAction>,
}

/// An action the participants are expected to perform, with its time limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedAction {
    pub id: String,
    pub title: String,
    /// The inject the time limit counts from; absent: T+0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The time allowed after `after`. Exactly one of `within` and `by` is given.
    #[serde(
        default,
        with = "duration_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub within: Option<ExerciseTime>,
    /// The exercise time it is due by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<ExerciseTime>,
    /// How late it may be and still rate S (some challenges) rather than M; absent: the
    /// time allowed (due − the anchor).
    #[serde(
        default,
        with = "duration_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub grace: Option<ExerciseTime>,
    /// `false`: missing it rates M at worst rather than U.
    pub required: bool,
    /// The due time, computed when the exercise is read.
    #[serde(skip)]
    pub due: ExerciseTime,
    /// The grace, computed when the exercise is read.
    #[serde(skip)]
    pub allowed_late: ExerciseTime,
}

impl Exercise {
    /// Every action id the objectives expect, in document order, without repeats.
    pub fn action_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for action in self.objectives.iter().flat_map(|o| &o.actions) {
            if !ids.contains(&action.id.as_str()) {
                ids.push(&action.id);
            }
        }
        ids
    }

    /// The title of an expected action.
    pub fn action_title(&self, id: &str) -> Option<&str> {
        self.objectives
            .iter()
            .flat_map(|o| &o.actions)
            .find(|a| a.id == id)
            .map(|a| a.title.as_str())
    }

    pub fn inject(&self, id: &str) -> Option<&Inject> {
        self.injects.iter().find(|i| i.id == id)
    }
}

/// The record of one run of an exercise: what was delivered and decided, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub format: String,
    pub exercise: Exercise,
    /// SHA-256 (hex) of the exercise file as read.
    pub exercise_sha256: String,
    /// The network's `name` and the SHA-256 of its document.
    pub network: String,
    pub network_sha256: String,
    /// When the run was held (the wall clock at its start).
    #[serde(with = "time::serde::rfc3339")]
    pub held_at: OffsetDateTime,
    /// What T+0 stood for in the scenario.
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    /// Exercise seconds per wall-clock second.
    pub speed: f64,
    /// The outage duration drawn with `--draw --seed S`, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw: Option<Drawn>,
    pub injects: Vec<Delivered>,
    pub decisions: Vec<Decision>,
    /// When play stopped.
    pub ended: ExerciseTime,
    /// The impact at T+0 and after every inject that changed the scenario.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub impacts: Vec<ImpactAt>,
}

/// An outage duration drawn from a distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drawn {
    pub distribution: String,
    pub seed: u64,
    /// Whole days, as the Monte Carlo rounds them (up).
    pub days: u32,
}

/// An inject as delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivered {
    pub inject: String,
    pub at: ExerciseTime,
}

/// A decision of the participants: the expected actions it performs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub at: ExerciseTime,
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// The scenario's impact from an exercise time on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImpactAt {
    pub at: ExerciseTime,
    /// The inject that changed the scenario; absent at T+0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inject: Option<String>,
    pub impact: Impact,
}
