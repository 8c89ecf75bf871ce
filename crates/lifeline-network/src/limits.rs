//! How much a reader accepts from one file. Network documents come from partners, and a
//! hostile one must not exhaust memory or the stack: every reader checks these limits as
//! it goes and stops with an error that names the file, the place and the limit.

/// Limits on what the network readers accept. [`ReadLimits::default`] suits every
/// network lifeline's examples and generators produce with a wide margin; raise a limit
/// for a larger trusted document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// The largest file, in bytes (each table of a CSV folder counts alone). Default
    /// 256 MiB.
    pub file_bytes: u64,
    /// The longest string value or key, in bytes (a CSV cell too). Default 64 KiB: ids,
    /// names and notes are short; a longer value is an attack or a mistake.
    pub value_bytes: usize,
    /// The deepest nesting of lists and objects in JSON or YAML. Default 64: a network
    /// document nests 6 levels deep.
    pub depth: usize,
    /// The longest CSV record (the header or one row), in bytes. Default 1 MiB.
    pub csv_record_bytes: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            file_bytes: 256 * 1024 * 1024,
            value_bytes: 64 * 1024,
            depth: 64,
            csv_record_bytes: 1024 * 1024,
        }
    }
}

/// Diagnostics shown per file by [`crate::Diagnostics`]'s `Display`: the rest are counted
/// (`… and 1234 more`), so that a file with a million problems gives a readable message.
pub const SHOWN_DIAGNOSTICS: usize = 100;
