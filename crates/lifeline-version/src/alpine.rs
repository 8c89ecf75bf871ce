//! apk-tools' version order for Alpine, Wolfi and Chainguard.
//!
//! Written here because no Rust crate implements it. The grammar is Gentoo's,
//! as apk-tools 3 validates it:
//! `digits{.digits}[letter]{_suffix[digits]}[~hexhash][-rdigits]`, with
//! suffixes `alpha`, `beta`, `pre`, `rc` (pre-releases) and `cvs`, `svn`,
//! `git`, `hg`, `p` (post-releases). Texts outside the grammar are rejected.
//!
//! Two versions compare token by token while the token kinds agree: the first
//! number numerically; later `.` numbers numerically, unless either starts with
//! `0`, then as strings (Gentoo's rule); letters, suffix ranks and numbers after
//! suffixes and `-r` as values; hashes as strings. Where the kinds differ, a
//! pre-release suffix sorts first; otherwise the version whose next token comes
//! later in the grammar (the end of the text coming last of all) sorts lower, so
//! `1.0 < 1.0.1`, `1.0a < 1.0.1`, `1.0_p1 < 1.0.1`, `1.0 < 1.0-r1`, `1.0_rc1 < 1.0`.

use std::cmp::Ordering;

use crate::version::cmp_digits;

/// Suffix ranks in apk's order; the pre-release ones sort before "no suffix".
const SUFFIXES: [&str; 9] = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"];
/// Suffixes with a rank below this one are pre-releases.
const FIRST_POST_SUFFIX: u8 = 4;

/// The token kinds, in grammar order (their order matters for comparison).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNumber,
    CommitHash,
    RevisionNumber,
    End,
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    /// The token's text: digits as written, a letter, a hash.
    text: Box<str>,
    /// The suffix rank for `Kind::Suffix`.
    suffix: u8,
}

/// A parsed apk version: its tokens, ending with `Kind::End`.
#[derive(Clone, Debug)]
pub(crate) struct ApkVersion(Vec<Token>);

fn token(kind: Kind, text: &str) -> Token {
    Token {
        kind,
        text: text.into(),
        suffix: 0,
    }
}

pub(crate) fn parse(text: &str) -> Result<ApkVersion, String> {
    let body = text.trim();
    let bytes = body.as_bytes();
    let digits_end = |from: usize| {
        let mut end = from;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        end
    };
    let mut i = digits_end(0);
    if i == 0 {
        return Err("an apk version starts with a number".to_owned());
    }
    let mut tokens = vec![token(Kind::InitialDigit, &body[..i])];
    let mut last = Kind::InitialDigit;
    while i < bytes.len() {
        let c = bytes[i];
        let next = match c {
            b'a'..=b'z' if last <= Kind::Digit => {
                i += 1;
                token(Kind::Letter, &body[i - 1..i])
            }
            b'.' if last <= Kind::Digit => {
                let end = digits_end(i + 1);
                if end == i + 1 {
                    return Err(format!("a number must follow the `.` at byte {i}"));
                }
                let t = token(Kind::Digit, &body[i + 1..end]);
                i = end;
                t
            }
            b'0'..=b'9' if last == Kind::Suffix => {
                let end = digits_end(i);
                let t = token(Kind::SuffixNumber, &body[i..end]);
                i = end;
                t
            }
            b'_' if last <= Kind::SuffixNumber => {
                let mut end = i + 1;
                while end < bytes.len() && bytes[end].is_ascii_lowercase() {
                    end += 1;
                }
                let name = &body[i + 1..end];
                let Some(rank) = SUFFIXES.iter().position(|s| *s == name) else {
                    return Err(format!(
                        "`_{name}` is not a suffix (alpha, beta, pre, rc, cvs, svn, git, hg, p)"
                    ));
                };
                i = end;
                Token {
                    kind: Kind::Suffix,
                    text: name.into(),
                    suffix: u8::try_from(rank).unwrap_or(u8::MAX),
                }
            }
            b'~' if last < Kind::CommitHash => {
                let mut end = i + 1;
                while end < bytes.len() && bytes[end].is_ascii_hexdigit() {
                    end += 1;
                }
                if end == i + 1 {
                    return Err(format!(
                        "a hexadecimal hash must follow the `~` at byte {i}"
                    ));
                }
                let t = token(Kind::CommitHash, &body[i + 1..end]);
                i = end;
                t
            }
            b'-' if last < Kind::RevisionNumber && bytes.get(i + 1) == Some(&b'r') => {
                let end = digits_end(i + 2);
                if end == i + 2 {
                    return Err(format!("a number must follow the `-r` at byte {i}"));
                }
                let t = token(Kind::RevisionNumber, &body[i + 2..end]);
                i = end;
                t
            }
            _ => {
                let rest: String = body[i..].chars().take(12).collect();
                return Err(format!("unexpected `{rest}` at byte {i}"));
            }
        };
        last = next.kind;
        tokens.push(next);
    }
    tokens.push(token(Kind::End, ""));
    Ok(ApkVersion(tokens))
}

fn compare_same_kind(a: &Token, b: &Token) -> Ordering {
    match a.kind {
        Kind::Digit if a.text.starts_with('0') || b.text.starts_with('0') => a.text.cmp(&b.text),
        Kind::InitialDigit | Kind::Digit | Kind::SuffixNumber | Kind::RevisionNumber => cmp_digits(
            a.text.trim_start_matches('0'),
            b.text.trim_start_matches('0'),
        ),
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        Kind::Letter | Kind::CommitHash | Kind::End => a.text.cmp(&b.text),
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.0.iter().zip(&other.0) {
            if a.kind != b.kind {
                let pre = |t: &Token| t.kind == Kind::Suffix && t.suffix < FIRST_POST_SUFFIX;
                if pre(a) {
                    return Ordering::Less;
                }
                if pre(b) {
                    return Ordering::Greater;
                }
                return b.kind.cmp(&a.kind);
            }
            let result = compare_same_kind(a, b);
            if result != Ordering::Equal {
                return result;
            }
        }
        // Both token lists end with `End`, so equal kinds all the way means equal length.
        Ordering::Equal
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}
