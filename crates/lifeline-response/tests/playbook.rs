use lifeline_response::library;
use lifeline_response::playbook::read;
use std::path::Path;
use lifeline_network::Format;

#[test]
fn every_builtin_validates() {
    for (name, text) in library::DOCUMENTS {
        match read::from_str(text, Format::Yaml, Path::new(name)) {
            Ok(loaded) => assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings),
            Err(e) => panic!("{e}"),
        }
    }
}
