//! lifeline-trace: traceability and product integrity for healthcare supply chains.
//!
//! Reads GS1 EPCIS 2.0 (JSON-LD and XML) and EPCIS 1.2 (XML) documents event by event
//! (`read`), computes the CBV 2.0 Event Hash ID of each event (`hash`), keeps events in an
//! embedded SQLite repository (`repository`), and checks chain-of-custody rules over them
//! (`rules`), including DSCSA-style product verification (`verify`), and names the network
//! items and entities behind a finding (`link`).

mod error;
pub mod facts;
pub mod hash;
mod identifiers;
pub mod link;
pub mod model;
pub mod read;
pub mod repository;
pub mod rules;
pub mod schema;
pub mod time;
pub mod validate;
pub mod verify;
pub mod vocabulary;
pub mod write;

pub use error::{Location, Problem, TraceError};
pub use model::{DocumentHeader, Element, Event, EventType};
pub use read::{Format, read_all, visit_events};
