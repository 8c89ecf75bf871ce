//! CVSS v3.0, v3.1 and v4.0 base scores from vector strings (computed by the RustSec `cvss`
//! crate), and the qualitative severity scale shared by both versions.

use std::str::FromStr;

use serde::Serialize;

/// The qualitative rating of a score (CVSS v3.1 and v4.0 specifications, same bands).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Rating {
    /// No score and no stated severity.
    Unknown,
    /// 0.0.
    None,
    /// 0.1–3.9.
    Low,
    /// 4.0–6.9.
    Medium,
    /// 7.0–8.9.
    High,
    /// 9.0–10.0.
    Critical,
}

impl Rating {
    /// The band of a base score.
    pub fn of_score(score: f64) -> Rating {
        if score >= 9.0 {
            Rating::Critical
        } else if score >= 7.0 {
            Rating::High
        } else if score >= 4.0 {
            Rating::Medium
        } else if score > 0.0 {
            Rating::Low
        } else {
            Rating::None
        }
    }
    /// A severity word as advisories write it (`HIGH`, `moderate`, `Important`).
    pub fn from_word(word: &str) -> Rating {
        match word.to_ascii_lowercase().as_str() {
            "critical" => Rating::Critical,
            "high" | "important" => Rating::High,
            "medium" | "moderate" => Rating::Medium,
            "low" => Rating::Low,
            "none" => Rating::None,
            _ => Rating::Unknown,
        }
    }
    /// Upper-case word.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Unknown => "UNKNOWN",
            Rating::None => "NONE",
            Rating::Low => "LOW",
            Rating::Medium => "MEDIUM",
            Rating::High => "HIGH",
            Rating::Critical => "CRITICAL",
        }
    }
}

/// A scored CVSS vector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvssScore {
    /// `3.0`, `3.1` or `4.0`.
    pub version: String,
    /// The vector as given.
    pub vector: String,
    /// Base score (CVSS-B for v4.0), 0.0–10.0.
    pub score: f64,
}

/// A vector that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{vector}` is not a CVSS v3.x or v4.0 vector: {message}")]
pub struct CvssError {
    /// The text given.
    pub vector: String,
    /// Why.
    pub message: String,
}

/// Parses a CVSS v3.0, v3.1 or v4.0 vector and computes its base score.
pub fn base_score(vector: &str) -> Result<CvssScore, CvssError> {
    let vector = vector.trim();
    let error = |message: String| CvssError {
        vector: vector.to_owned(),
        message,
    };
    let version = if vector.starts_with("CVSS:3.0/") {
        "3.0"
    } else if vector.starts_with("CVSS:3.1/") {
        "3.1"
    } else if vector.starts_with("CVSS:4.0/") {
        "4.0"
    } else {
        return Err(error(
            "it must start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/".into(),
        ));
    };
    let required: &[&str] = if version == "4.0" {
        &[
            "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
        ]
    } else {
        &["AV", "AC", "PR", "UI", "S", "C", "I", "A"]
    };
    let given: Vec<&str> = vector
        .split('/')
        .skip(1)
        .filter_map(|part| part.split(':').next())
        .collect();
    let missing: Vec<&str> = required
        .iter()
        .filter(|metric| !given.contains(metric))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(error(format!(
            "base metric(s) {} missing",
            missing.join(", ")
        )));
    }
    let score = match version {
        "4.0" => cvss::v4::Vector::from_str(vector)
            .map_err(|e| error(e.to_string()))?
            .score()
            .value(),
        _ => cvss::v3::Vector::from_str(vector)
            .map_err(|e| error(e.to_string()))?
            .score()
            .value(),
    };
    Ok(CvssScore {
        version: version.to_owned(),
        vector: vector.to_owned(),
        score,
    })
}
