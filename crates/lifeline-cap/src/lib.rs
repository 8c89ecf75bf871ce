//! `lifeline-cap`: OASIS CAP 1.2 (issue 17). See ARCHITECTURE.md.
