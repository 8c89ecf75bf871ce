//! The CBV 2.0 standard vocabularies that queries accept as bare terms: business steps and
//! dispositions (CBV 2.0 §7.2 and §7.3; the same terms are the `BizStep-…` and `Disp-…`
//! entries of the EPCIS 2.0 JSON-LD context, which a test checks these lists against).

/// CBV 2.0 business steps (`https://ref.gs1.org/cbv/BizStep-<term>`).
pub const BIZ_STEPS: &[&str] = &[
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "sampling",
    "sensor_reporting",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
];

/// CBV 2.0 dispositions (`https://ref.gs1.org/cbv/Disp-<term>`).
pub const DISPOSITIONS: &[&str] = &[
    "active",
    "available",
    "completeness_inferred",
    "completeness_verified",
    "conformant",
    "container_closed",
    "container_open",
    "damaged",
    "destroyed",
    "dispensed",
    "disposed",
    "encoded",
    "expired",
    "in_progress",
    "in_transit",
    "inactive",
    "mismatch_class",
    "mismatch_instance",
    "mismatch_quantity",
    "needs_replacement",
    "no_pedigree_match",
    "non_conformant",
    "non_sellable_other",
    "partially_dispensed",
    "recalled",
    "reserved",
    "retail_sold",
    "returned",
    "sellable_accessible",
    "sellable_not_accessible",
    "stolen",
    "unavailable",
    "unknown",
];

/// The term of `list` closest to `word`, when close enough to be a typo: the one
/// "did you mean" rule of every reader, [`lifeline_text::suggest`].
pub fn closest<'a>(word: &str, list: &[&'a str]) -> Option<&'a str> {
    lifeline_text::suggest(word, list.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_term() {
        assert_eq!(closest("shiping", BIZ_STEPS), Some("shipping"));
        assert_eq!(closest("recaled", DISPOSITIONS), Some("recalled"));
        assert_eq!(closest("zzzzzzzz", DISPOSITIONS), None);
    }
}
