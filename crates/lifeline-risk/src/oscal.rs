//! (Owned by a helper.)
