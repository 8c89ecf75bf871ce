//! Fuzz target for lifeline-xsd: any bytes, validated against CycloneDX 1.6, EPCIS 2.0, or
//! the set of its root namespace (picked by the first byte), must give a validation or a
//! typed error, never a crash, hang or leak in the libxml2 bridge; every problem carries a
//! message, and a document reported valid has no problem at all.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lifeline_xsd::SchemaSet;

fuzz_target!(|data: &[u8]| {
    let outcome = match data.split_first() {
        Some((first, rest)) if first % 3 == 0 => {
            lifeline_xsd::validate(SchemaSet::CycloneDx { minor: 6 }, rest)
        }
        Some((first, rest)) if first % 3 == 1 => lifeline_xsd::validate(SchemaSet::Epcis2_0, rest),
        Some((_, rest)) => lifeline_xsd::validate_detected(rest).map(|(_, validation)| validation),
        None => lifeline_xsd::validate(SchemaSet::Epcis2_0, data),
    };
    if let Ok(validation) = outcome {
        assert!(validation.problems.iter().all(|p| !p.message.is_empty()));
        assert_eq!(
            validation.is_valid(),
            validation.problems.is_empty() && validation.omitted == 0
        );
        for problem in &validation.problems {
            let _ = (problem.to_string(), problem.short_message());
        }
    }
});
