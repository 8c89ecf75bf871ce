//! `lifeline-notify`: delivery of partner alerts (issue 17). See ARCHITECTURE.md.
