//! Observed exposure: `lifeline sbom scan` and `lifeline devices report` JSON. (Owned by
//! the scoring helper.)
