//! Scoring. (Owned by the scoring helper.)
