//! Fuzz target for the readers of what vendors and scanners send: a vendor register (JSON
//! and YAML), a filled questionnaire (YAML, CSV, JSON) and scan or device-report findings.
//! Any text must give a value or an error naming the file, never a panic; a register that
//! reads must score against a small network without a panic either.

#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use lifeline_network::{Format, ValidatedNetwork};
use lifeline_risk::questionnaire::{QuestionnaireFormat, read_filled};
use lifeline_risk::score::{Inputs, score};
use lifeline_stress::Report;

/// The spec's worked example and its stress report: a fuzzed register names none of its
/// entities, so this exercises scoring with no impact (the example registers are tested
/// against their networks).
static NETWORK: LazyLock<(ValidatedNetwork, Report)> = LazyLock::new(|| {
    let text = include_str!("../../examples/toy.json");
    let network = lifeline_network::from_str(text, Format::Json, Path::new("toy.json"))
        .expect("the toy example is valid")
        .network;
    let report = lifeline_stress::run(&network, &network.scenarios(), &Default::default(), &|| {})
        .expect("the toy example solves");
    (network, report)
});

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let origin = Path::new("fuzz-input");
    match selector % 6 {
        0 | 1 => {
            let format = if selector % 6 == 0 { Format::Json } else { Format::Yaml };
            if let Ok(loaded) = lifeline_risk::register::from_str(&text, format, origin, None) {
                let (network, stress) = &*NETWORK;
                let as_of = time::Date::from_calendar_date(2026, time::Month::December, 1)
                    .expect("a real date");
                let register = score(&Inputs {
                    register: &loaded.register,
                    network,
                    stress,
                    observations: &[],
                    as_of,
                });
                let _ = lifeline_risk::render::table(&register);
            }
        }
        2 => drop(read_filled(&text, QuestionnaireFormat::Yaml, origin).map_err(|e| e.to_string())),
        3 => drop(read_filled(&text, QuestionnaireFormat::Csv, origin).map_err(|e| e.to_string())),
        4 => drop(read_filled(&text, QuestionnaireFormat::Json, origin).map_err(|e| e.to_string())),
        _ => drop(lifeline_risk::findings::read(&text, "fuzz-input").map_err(|e| e.to_string())),
    }
});
