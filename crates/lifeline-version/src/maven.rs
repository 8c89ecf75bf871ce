//! Maven's version order, the order of Maven 3.9's
//! `org.apache.maven.artifact.versioning.ComparableVersion`.
//!
//! Written here because no maintained Rust crate implements `ComparableVersion`.
//! The rules (Maven's "POM Reference: Version Order Specification" and the
//! class's behaviour, including the fixes MNG-5568, MNG-6964, MNG-7644 and the
//! "combination" items of Maven 3.9):
//!
//! - the text is lower-cased and split at `.`, at `-` and where digits and
//!   letters meet; an empty piece is `0`;
//! - `-`, a digit-to-letter change, and a letter-to-digit change after other
//!   items open a nested list; a qualifier after `.` at the end also opens one, so
//!   `1.0.0.RC1 < 1.0.0-RC2` and `2.0.X == 2-X`;
//! - letters directly followed by digits (`rc1`, also `rc-1`) form one
//!   "combination" item that sorts as its qualifier, then by its number, and just
//!   after the bare qualifier;
//! - `a`, `b`, `m` followed by a digit mean `alpha`, `beta`, `milestone`; `cr`
//!   means `rc`; `ga`, `final`, `release` sort as the empty qualifier;
//! - known qualifiers order `alpha < beta < milestone < rc < snapshot < "" < sp`,
//!   other qualifiers come after them, lexically;
//! - a number is greater than a qualifier, a combination or a list; a list is
//!   greater than a qualifier or a combination; a missing item compares as a
//!   "null" of the other kind (`1.0 == 1`, `1-rc < 1`, `1-sp > 1`);
//! - null items (`0`, empty lists) are dropped at the end of every list, and
//!   where a qualifier or a list starting with a qualifier follows them.
//!
//! Maven's comparison is not transitive in corner cases, and a Rust `Ord` must
//! be (sorting may panic otherwise). Two deliberate differences make it so:
//! items on different sides of "nothing" (a missing item) compare by side first,
//! and all items level with nothing are equal (Maven compares kinds first:
//! `10 < 10.a.0 < 10.beta < 10`); a `0` kept by normalisation (followed by a
//! number or a list) is more than nothing (Maven: equal, so
//! `0.b < 0-0-alpha.0 < 0 < 0.b`). No case of Maven's own test suite changes.
//!
//! Numbers compare by value whatever their length (Maven stores them in `int`,
//! `long` or `BigInteger` by length, which orders the same way). Digits are ASCII
//! digits only.

use std::cmp::Ordering;

use crate::version::cmp_digits;

/// One item of a parsed Maven version other than a nested list.
#[derive(Clone, Debug)]
enum Item {
    /// A number, as its decimal digits without leading zeros (zero is `""`).
    Number(Box<str>),
    /// A qualifier, as its sort key (see [`rank`]); `null` only for the empty qualifier.
    Qualifier { rank: Box<str>, null: bool },
    /// Letters directly followed by digits (`rc1`): the qualifier's sort key and the number.
    Combination { rank: Box<str>, number: Box<str> },
}

/// One entry of a parsed Maven version, flattened.
///
/// Maven nests a list only as the last item of the list being built, so a version is
/// a chain `[a, b, [c, [d]]]`. It is kept flat, `a, b, List, c, List, d`: a `List`
/// entry stands for a nested list made of every entry after it, and ends its own
/// list. Walking, comparing, cloning and dropping a flat vector never recurse, so a
/// version with thousands of `-` (each opens a list) cannot overflow the stack.
#[derive(Clone, Debug)]
enum Entry {
    Item(Item),
    /// A nested list (the rest of the entries), with its side of "nothing" (see
    /// [`side`]), computed once at parse time.
    List {
        side: Ordering,
    },
}

/// The sort key of the empty qualifier ("", `ga`, `final`, `release`).
const RELEASE_RANK: &str = "5";

/// The sort key of a qualifier: known qualifiers by rank, unknown ones after
/// them, lexically (Maven's own encoding, compared as strings).
fn rank(qualifier: &str) -> Box<str> {
    match qualifier {
        "alpha" => "0".into(),
        "beta" => "1".into(),
        "milestone" => "2".into(),
        "rc" | "cr" => "3".into(),
        "snapshot" => "4".into(),
        "" | "ga" | "final" | "release" => RELEASE_RANK.into(),
        "sp" => "6".into(),
        other => format!("7-{other}").into(),
    }
}

/// The qualifier part of a combination: `a`, `b`, `m` stand for `alpha`, `beta`, `milestone`.
fn combination_rank(letters: &str) -> Box<str> {
    match letters {
        "a" => rank("alpha"),
        "b" => rank("beta"),
        "m" => rank("milestone"),
        other => rank(other),
    }
}

/// A parsed Maven version: its entries, flat (see [`Entry`]).
#[derive(Clone, Debug)]
pub(crate) struct MavenVersion(Vec<Entry>);

fn parse_item(combination: bool, digit: bool, text: &str) -> Item {
    if combination {
        let letters_and_digits: String = text.chars().filter(|c| *c != '-').collect();
        let split = letters_and_digits
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(0);
        let (letters, digits) = letters_and_digits.split_at(split);
        return Item::Combination {
            rank: combination_rank(letters),
            number: digits.trim_start_matches('0').into(),
        };
    }
    if digit {
        return Item::Number(text.trim_start_matches('0').into());
    }
    Item::Qualifier {
        rank: rank(text),
        null: text.is_empty(),
    }
}

/// The lists being built: `levels[k + 1]` is the list nested as the last item of
/// `levels[k]`. Items only ever go into the innermost list, so nesting is a chain.
struct Levels(Vec<Vec<Item>>);

impl Levels {
    fn add(&mut self, item: Item) {
        if let Some(level) = self.0.last_mut() {
            level.push(item);
        }
    }

    fn current_is_empty(&self) -> bool {
        self.0.last().is_none_or(Vec::is_empty)
    }

    fn open(&mut self) {
        self.0.push(Vec::new());
    }
}

pub(crate) fn parse(text: &str) -> Result<MavenVersion, String> {
    if text.trim().is_empty() {
        return Err("a Maven version needs at least one character".to_owned());
    }
    let lower = text.to_lowercase();
    let chars: Vec<(usize, char)> = lower.char_indices().collect();
    let slice = |from: usize, to: usize| -> &str {
        let start = chars.get(from).map_or(lower.len(), |c| c.0);
        let end = chars.get(to).map_or(lower.len(), |c| c.0);
        &lower[start..end]
    };
    let mut levels = Levels(vec![Vec::new()]);
    let mut digit = false;
    let mut combination = false;
    let mut start = 0usize;
    for (i, &(_, c)) in chars.iter().enumerate() {
        if c == '.' {
            if i == start {
                levels.add(Item::Number("".into()));
            } else {
                levels.add(parse_item(combination, digit, slice(start, i)));
            }
            combination = false;
            start = i + 1;
        } else if c == '-' {
            if i == start {
                levels.add(Item::Number("".into()));
            } else {
                // `X-1` is read as `X1`.
                if !digit
                    && chars
                        .get(i + 1)
                        .is_some_and(|(_, next)| next.is_ascii_digit())
                {
                    combination = true;
                    continue;
                }
                levels.add(parse_item(combination, digit, slice(start, i)));
            }
            start = i + 1;
            if !levels.current_is_empty() {
                levels.open();
            }
            combination = false;
        } else if c.is_ascii_digit() {
            if !digit && i > start {
                combination = true;
                if !levels.current_is_empty() {
                    levels.open();
                }
            }
            digit = true;
        } else {
            if digit && i > start {
                levels.add(parse_item(combination, true, slice(start, i)));
                start = i;
                levels.open();
                combination = false;
            }
            digit = false;
        }
    }
    if chars.len() > start {
        // `1.0.0.X1 < 1.0.0-X2`: a trailing qualifier after `.` goes into a new list.
        if !digit && !levels.current_is_empty() {
            levels.open();
        }
        levels.add(parse_item(combination, digit, slice(start, chars.len())));
    }
    Ok(MavenVersion(flatten(levels.0)))
}

/// What follows an item in its list, as normalisation asks: nothing, another item,
/// or the nested list (with its first entry).
#[derive(Clone, Copy)]
enum Next<'a> {
    Nothing,
    Item(&'a Item),
    List(First),
}

/// The kind of the first entry of a normalised nested list.
#[derive(Clone, Copy)]
enum First {
    /// A qualifier or a combination: null items before the list are dropped.
    Qualifier,
    /// A number or a list: null items before the list are kept.
    Other,
}

/// Normalises the chain of lists from the innermost outwards, as Maven does when it
/// pops its stack, and writes it flat. A normalised nested list that is empty is
/// null and ends its parent, so it is dropped, and so are the levels inside it.
fn flatten(mut levels: Vec<Vec<Item>>) -> Vec<Entry> {
    // `kept[k]`: whether level k keeps its nested list (level k + 1, not empty).
    let mut kept = vec![false; levels.len()];
    let mut inner: Option<First> = None;
    for (k, level) in levels.iter_mut().enumerate().rev() {
        kept[k] = inner.is_some();
        normalize(level, inner.map_or(Next::Nothing, Next::List));
        inner = match level.first() {
            Some(Item::Qualifier { .. } | Item::Combination { .. }) => Some(First::Qualifier),
            Some(Item::Number(_)) => Some(First::Other),
            None if kept[k] => Some(First::Other),
            None => None,
        };
    }
    let mut entries = Vec::with_capacity(levels.iter().map(|l| l.len() + 1).sum());
    for (level, keep) in levels.into_iter().zip(kept) {
        entries.extend(level.into_iter().map(Entry::Item));
        if !keep {
            break;
        }
        entries.push(Entry::List {
            side: Ordering::Equal,
        });
    }
    // A list's side is the side of its first entry that is not level with nothing,
    // nested lists included: one walk from the end finds every list's.
    let mut next_side = Ordering::Equal;
    for entry in entries.iter_mut().rev() {
        match entry {
            Entry::Item(item) => {
                let side = item_side(item);
                if side != Ordering::Equal {
                    next_side = side;
                }
            }
            Entry::List { side } => *side = next_side,
        }
    }
    entries
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Number(digits) => digits.is_empty(),
        Item::Qualifier { null, .. } => *null,
        Item::Combination { .. } => false,
    }
}

/// Drops null items that end the list or that a qualifier, or a list starting
/// with a qualifier or a combination, follows; `tail` is what follows the last item.
fn normalize(items: &mut Vec<Item>, tail: Next<'_>) {
    let mut i = items.len();
    while i > 0 {
        i -= 1;
        if !is_null(&items[i]) {
            continue;
        }
        let next = items.get(i + 1).map_or(tail, Next::Item);
        let remove = match next {
            Next::Nothing | Next::Item(Item::Qualifier { .. }) | Next::List(First::Qualifier) => {
                true
            }
            Next::Item(_) | Next::List(First::Other) => false,
        };
        if remove {
            items.remove(i);
        }
    }
}

/// Which side of "nothing" (a missing item) an item sorts on: numbers after it,
/// qualifiers by their rank against the empty qualifier (lists: by their first
/// item that is not level with nothing, MNG-6964, kept in [`Entry::List`]).
fn item_side(item: &Item) -> Ordering {
    match item {
        // Maven says a `0` equals nothing. Zeros that survive normalisation are
        // followed by a number or a list, and treating them as nothing makes the
        // order cycle (`0.b < 0-0-alpha.0 < 0 < 0.b`); here a number is always
        // more than nothing. Trailing zeros are gone by then, so `1.0 == 1`.
        Item::Number(_) => Ordering::Greater,
        Item::Qualifier { rank, .. } | Item::Combination { rank, .. } => (**rank).cmp(RELEASE_RANK),
    }
}

fn side(entry: &Entry) -> Ordering {
    match entry {
        Entry::Item(item) => item_side(item),
        Entry::List { side } => *side,
    }
}

/// Compares an entry with another entry or with nothing (`None`); two lists are
/// compared by the caller, [`compare_lists`].
///
/// The side of nothing decides first, and items level with nothing are all
/// equal; otherwise Maven's rules apply. Maven compares kinds first, which is
/// not transitive when items lie on different sides of nothing
/// (`10 < 10.a.0 < 10.beta < 10`, `1-ga == 1 == 1-ga1` but `1-ga < 1-ga1`).
fn compare(left: &Entry, right: Option<&Entry>) -> Ordering {
    let left_side = side(left);
    let Some(right) = right else {
        return left_side;
    };
    match left_side.cmp(&side(right)) {
        Ordering::Equal if left_side == Ordering::Equal => Ordering::Equal,
        Ordering::Equal => same_side(left, right),
        other => other,
    }
}

/// Maven's `Item.compareTo` for two entries on the same side of nothing, not both lists.
fn same_side(left: &Entry, right: &Entry) -> Ordering {
    use Item::{Combination, Number, Qualifier};
    let (left, right) = match (left, right) {
        (Entry::Item(left), Entry::Item(right)) => (left, right),
        (Entry::List { .. }, Entry::List { .. }) => return Ordering::Equal,
        (Entry::List { .. }, Entry::Item(Number(_))) => return Ordering::Less,
        (Entry::Item(Number(_)), Entry::List { .. }) => return Ordering::Greater,
        (Entry::List { .. }, Entry::Item(_)) => return Ordering::Greater,
        (Entry::Item(_), Entry::List { .. }) => return Ordering::Less,
    };
    match (left, right) {
        (Number(a), Number(b)) => cmp_digits(a, b),
        (Number(_), _) => Ordering::Greater,
        (_, Number(_)) => Ordering::Less,
        (Qualifier { rank: a, .. }, Qualifier { rank: b, .. }) => a.cmp(b),
        (Qualifier { rank: a, .. }, Combination { rank: b, .. }) => a.cmp(b).then(Ordering::Less),
        (Combination { rank: a, .. }, Qualifier { rank: b, .. }) => {
            a.cmp(b).then(Ordering::Greater)
        }
        (Combination { rank: a, number: x }, Combination { rank: b, number: y }) => {
            a.cmp(b).then_with(|| cmp_digits(x, y))
        }
    }
}

/// Compares two lists item by item, a missing item as nothing. Two nested lists at
/// the same position are both the last items of their lists, so comparing them
/// decides the whole comparison: the loop goes down into them instead of recursing.
fn compare_lists(mut left: &[Entry], mut right: &[Entry]) -> Ordering {
    let mut i = 0;
    // Entries after a `List` belong to the nested list, not to the list being walked.
    let (mut left_done, mut right_done) = (false, false);
    loop {
        let l = if left_done { None } else { left.get(i) };
        let r = if right_done { None } else { right.get(i) };
        let result = match (l, r) {
            (None, None) => return Ordering::Equal,
            (Some(Entry::List { side: a }), Some(Entry::List { side: b })) => {
                if a != b || *a == Ordering::Equal {
                    return a.cmp(b);
                }
                left = &left[i + 1..];
                right = &right[i + 1..];
                i = 0;
                continue;
            }
            (Some(l), r) => compare(l, r),
            (None, Some(r)) => compare(r, None).reverse(),
        };
        if result != Ordering::Equal {
            return result;
        }
        left_done |= matches!(l, Some(Entry::List { .. }));
        right_done |= matches!(r, Some(Entry::List { .. }));
        i += 1;
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_lists(&self.0, &other.0)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> String {
        let entries = &parse(text).expect("valid").0;
        let mut shown = String::new();
        let mut open = 0;
        for (position, entry) in entries.iter().enumerate() {
            if position > 0 && !shown.ends_with('[') {
                shown.push(',');
            }
            match entry {
                Entry::Item(Item::Number(d)) if d.is_empty() => shown.push('0'),
                Entry::Item(Item::Number(d)) => shown.push_str(d),
                Entry::Item(Item::Qualifier { rank, .. }) => shown.push_str(&format!("q{rank}")),
                Entry::Item(Item::Combination { rank, number }) => {
                    shown.push_str(&format!("c{rank}:{number}"));
                }
                Entry::List { .. } => {
                    shown.push('[');
                    open += 1;
                }
            }
        }
        shown.push_str(&"]".repeat(open));
        shown
    }

    #[test]
    fn items_nest_as_maven_parses_them() {
        assert_eq!(shape("1.0.0"), "1");
        assert_eq!(shape("1.0-1"), "1,0,[1]");
        assert_eq!(shape("1-alpha-1"), "1,[c0:1]");
        assert_eq!(shape("1.0.RC1"), "1,[c3:1]");
        assert_eq!(shape("2.0.foo"), "2,[q7-foo]");
        assert_eq!(shape("1.2-SNAPSHOT"), "1,2,[q4]");
        assert_eq!(shape("1-0-1-0"), "1,[0,[1]]");
        assert_eq!(shape("1-ga-0"), "1,[c5:]");
    }

    /// The parser below the length limit: 150,000 `-`-separated items open 150,000
    /// nested lists. Parsing, comparing, cloning and dropping them run in a test
    /// thread's 2 MiB stack, so any recursion on the nesting would overflow it
    /// (it did: `compare` and the drop of the nested lists recursed).
    #[test]
    fn deep_nesting_needs_no_stack() {
        let deep = "1-".repeat(150_000);
        let a = parse(&format!("{deep}2")).expect("valid");
        let b = parse(&format!("{deep}3")).expect("valid");
        let levels =
            a.0.iter()
                .filter(|e| matches!(e, Entry::List { .. }))
                .count();
        assert_eq!(levels, 150_000);
        assert_eq!(a.cmp(&b), Ordering::Less);
        assert_eq!(b.cmp(&a), Ordering::Greater);
        let copy = a.clone();
        assert_eq!(copy.cmp(&a), Ordering::Equal);
        drop((a, b, copy));
        let sides = parse(&"1-ga-".repeat(50_000)).expect("valid");
        assert_eq!(sides.cmp(&parse("1").expect("valid")), Ordering::Equal);
    }
}
