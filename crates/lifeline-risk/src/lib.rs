//! The vendor cyber-risk register: which vendors carry the most cyber risk, weighed by
//! what their failure would do to patient care.
//!
//! - [`register`] reads and validates the vendor register (`lifeline-vendors/1`).
//! - [`questionnaire`] holds the questionnaires as data (NIST CSF 2.0 from its OSCAL
//!   catalogue, HHS 405(d) HICP, the seeds' controls), exports blank ones and reads filled
//!   ones back.
//! - [`findings`] reads `lifeline sbom scan` and `lifeline devices report` JSON.
//! - [`score`] joins the register, the network's stress test and the findings into the
//!   ranked [`RiskRegister`], every number decomposed into drivers (`docs/risk-scoring.md`).
//! - [`render`], [`report`], [`heatmap`] and [`oscal`] write it out: table and CSV, the
//!   per-vendor report (Markdown, HTML), the likelihood × impact heat map (SVG), OSCAL 1.1
//!   assessment results and POA&M.
//!
//! No IO: callers read files and pass text, and pass the day the register is judged on.

pub mod assessment;
pub mod date;
pub mod findings;
pub mod heatmap;
pub mod model;
pub mod oscal;
pub mod questionnaire;
pub mod register;
pub mod render;
pub mod report;
pub mod score;

pub use assessment::{Basis, Driver, RiskRegister, Tier, VendorRisk};
pub use model::{
    Answer, AnswerValue, Control, ControlId, Controls, Evidence, FORMAT, Register, Vendor,
};
