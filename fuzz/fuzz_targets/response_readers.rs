//! Fuzz target for the readers of what partners and planners send to incident response: a
//! playbook in lifeline's form (JSON and YAML), a CACAO v2.0 document, a tabletop exercise
//! (JSON and YAML), and a timeline as JSON entries. Any text must give a value or an error
//! naming the file, never a panic. A playbook that reads must write back to YAML that reads
//! to the same playbook, and must export to CACAO; a timeline that parses must replay or
//! be refused.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use lifeline_network::Format;
use lifeline_response::incident::{Entry, state};
use lifeline_response::{cacao, exercise, playbook};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let origin = Path::new("fuzz-input");
    let created = time::OffsetDateTime::UNIX_EPOCH;
    match selector % 6 {
        0 | 1 => {
            let format = if selector % 6 == 0 { Format::Json } else { Format::Yaml };
            if let Ok(loaded) = playbook::read::from_str(&text, format, origin) {
                let yaml = playbook::read::to_yaml(&loaded.playbook);
                let again = playbook::read::from_str(&yaml, Format::Yaml, origin)
                    .expect("a playbook's YAML reads back");
                assert_eq!(again.playbook, loaded.playbook, "to_yaml round trip");
                let _ = cacao::from_playbook(&loaded.playbook, created);
            }
        }
        2 => drop(cacao::read_any(&text, origin, created).map_err(|e| e.to_string())),
        3 | 4 => {
            let format = if selector % 6 == 3 { Format::Json } else { Format::Yaml };
            drop(exercise::read::from_str(&text, format, origin).map_err(|e| e.to_string()));
        }
        _ => {
            if let Ok(entries) = serde_json::from_str::<Vec<Entry>>(&text) {
                drop(state::replay(&entries).map_err(|e| e.to_string()));
            }
        }
    }
});
