//! The built-in playbooks: seven responses to the incidents that have hit healthcare
//! supply chains, each with its sources (`data/playbooks/*.yaml`, `SOURCES.md`). They are
//! embedded in the binary, read with [`crate::playbook::read`] once, and every one
//! validates (a test checks it).

use std::path::Path;
use std::sync::OnceLock;

use lifeline_network::Format;

use crate::playbook::Playbook;
use crate::playbook::read;

/// The embedded documents: file name and text, in the order [`builtin`] returns them.
/// When the built-in playbooks were published: the `created` and `modified` time of their
/// CACAO export, so exporting a built-in playbook twice gives the same document.
pub const PUBLISHED: time::OffsetDateTime = time::macros::datetime!(2026-12-06 00:00 UTC);

pub const DOCUMENTS: [(&str, &str); 7] = [
    (
        "distributor-ordering-ransomware.yaml",
        include_str!("../data/playbooks/distributor-ordering-ransomware.yaml"),
    ),
    (
        "manufacturing-plant-down.yaml",
        include_str!("../data/playbooks/manufacturing-plant-down.yaml"),
    ),
    (
        "blood-supplier-manual-mode.yaml",
        include_str!("../data/playbooks/blood-supplier-manual-mode.yaml"),
    ),
    (
        "clearinghouse-down.yaml",
        include_str!("../data/playbooks/clearinghouse-down.yaml"),
    ),
    (
        "ehr-and-ordering-down.yaml",
        include_str!("../data/playbooks/ehr-and-ordering-down.yaml"),
    ),
    (
        "suspect-product.yaml",
        include_str!("../data/playbooks/suspect-product.yaml"),
    ),
    (
        "kev-connected-device.yaml",
        include_str!("../data/playbooks/kev-connected-device.yaml"),
    ),
];

/// The built-in playbooks that read and validate, in [`DOCUMENTS`] order. A document that
/// does not (which the library's tests rule out) is left out rather than panicking.
pub fn builtin() -> Vec<Playbook> {
    static PARSED: OnceLock<Vec<Playbook>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            DOCUMENTS
                .iter()
                .filter_map(|(name, text)| {
                    read::from_str(text, Format::Yaml, Path::new(name))
                        .ok()
                        .map(|loaded| loaded.playbook)
                })
                .collect()
        })
        .clone()
}

/// The built-in playbook with this id.
pub fn find(id: &str) -> Option<Playbook> {
    builtin().into_iter().find(|p| p.id == id)
}
