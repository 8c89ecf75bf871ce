//! `lifeline-stix`: STIX 2.1 and TLP 2.0 (issue 17). See ARCHITECTURE.md.
