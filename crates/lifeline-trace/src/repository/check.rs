//! The check over a repository: the EPCs split into aggregation families (a union-find over
//! the parent/child links ever stored), each family read from the database in time order and
//! run through the rules on a second thread.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use petgraph::unionfind::UnionFind;
use rusqlite::params;

use super::Repository;
use super::layout::{blob_of, decode_facts, text_of};
use crate::TraceError;
use crate::facts::{EventFacts, Role};
use crate::rules::{Checker, Finding, hash_mismatch};

/// Families per message from the reading thread to the checking thread.
const FAMILIES: usize = 64;

/// One aggregation family: its EPCs and the events naming them (time, seq, stored facts).
struct Family {
    focus: HashSet<String>,
    events: Vec<(i64, i64, Vec<u8>)>,
}

/// The aggregation families over EPC ids `1..count`: each family's members, contiguous and
/// ascending, and the families in the order of their smallest member (an order that does not
/// depend on which member the union-find makes the root).
struct Families {
    /// Members of every family, family after family.
    members: Vec<u32>,
    /// Where each family starts in `members`, and where the last one ends.
    bounds: Vec<usize>,
}

impl Families {
    /// Groups ids `1..count` (id 0 is never an EPC's) by the links `parent → child`.
    fn group(
        count: usize,
        links: impl IntoIterator<Item = Result<(i64, i64), TraceError>>,
    ) -> Result<Self, TraceError> {
        let id = |value: i64| {
            u32::try_from(value)
                .ok()
                .filter(|i| (*i as usize) < count)
                .ok_or_else(|| TraceError::Corrupt {
                    what: "EPC link",
                    message: format!("EPC id {value} out of range"),
                })
        };
        let mut union = UnionFind::<u32>::new(count);
        for link in links {
            let (parent, child) = link?;
            union.union(id(parent)?, id(child)?);
        }
        let roots = union.into_labeling();
        // A counting sort by family, the families numbered in the order of their smallest
        // member (ids ascend, so a family's first id seen is its smallest).
        let mut family_of_root = vec![u32::MAX; count];
        let mut sizes: Vec<usize> = Vec::new();
        let mut family_of = vec![0u32; count];
        for id in 1..count {
            let root = roots[id] as usize;
            if family_of_root[root] == u32::MAX {
                family_of_root[root] = sizes.len() as u32;
                sizes.push(0);
            }
            let family = family_of_root[root];
            family_of[id] = family;
            sizes[family as usize] += 1;
        }
        drop(family_of_root);
        drop(roots);
        let mut bounds = Vec::with_capacity(sizes.len() + 1);
        bounds.push(0);
        for size in &sizes {
            bounds.push(bounds[bounds.len() - 1] + size);
        }
        let mut next = bounds.clone();
        let mut members = vec![0u32; count.saturating_sub(1)];
        for (id, &family) in family_of.iter().enumerate().skip(1) {
            let family = family as usize;
            members[next[family]] = id as u32;
            next[family] += 1;
        }
        Ok(Families { members, bounds })
    }

    fn iter(&self) -> impl Iterator<Item = &[u32]> {
        self.bounds
            .windows(2)
            .map(|pair| &self.members[pair[0]..pair[1]])
    }
}

fn check_family(family: Family) -> Result<Vec<Finding>, TraceError> {
    let mut events = Vec::with_capacity(family.events.len());
    for (time, seq, text) in &family.events {
        events.push((*time, *seq, decode_facts(text)?));
    }
    events.sort_unstable_by_key(|(time, seq, _)| (*time, *seq));
    let mut checker = Checker::focused(family.focus);
    for (_, _, facts) in &events {
        checker.observe(facts);
    }
    Ok(checker.finish())
}

/// The findings of [`Repository::check_each`], in the same order, over events kept
/// elsewhere: `records` are the stored events in the order they were stored (duplicates
/// left out, error declarations kept as the repository keeps them), each with whether it is
/// retracted now. EPCs are numbered in order of first sight, as the repository interns
/// them, so the aggregation families and their findings come out in the same order.
pub fn check_records(records: &[(EventFacts, bool)]) -> Result<Vec<Finding>, TraceError> {
    let mut findings: Vec<Finding> = records
        .iter()
        .filter(|(_, retracted)| !retracted)
        .filter_map(|(facts, _)| hash_mismatch(facts))
        .collect();
    // EPC ids from 1 (0 is never an EPC's), the events naming each id, and the links.
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut names: Vec<&str> = vec![""];
    let mut naming: Vec<Vec<usize>> = vec![Vec::new()];
    let mut links: Vec<(i64, i64)> = Vec::new();
    let mut roles: Vec<(u32, Role)> = Vec::new();
    for (index, (facts, _)) in records.iter().enumerate() {
        roles.clear();
        for (epc, role) in &facts.epcs {
            let id = *ids.entry(epc.as_str()).or_insert_with(|| {
                names.push(epc.as_str());
                naming.push(Vec::new());
                (names.len() - 1) as u32
            });
            naming[id as usize].push(index);
            roles.push((id, *role));
        }
        for (parent, _) in roles.iter().filter(|(_, r)| *r == Role::Parent) {
            for (child, _) in roles.iter().filter(|(_, r)| *r == Role::Child) {
                links.push((i64::from(*parent), i64::from(*child)));
            }
        }
    }
    let families = Families::group(names.len(), links.into_iter().map(Ok))?;
    let mut events: Vec<usize> = Vec::new();
    for family in families.iter() {
        events.clear();
        let mut focus = HashSet::with_capacity(family.len());
        for &id in family {
            focus.insert(names[id as usize].to_owned());
            events.extend_from_slice(&naming[id as usize]);
        }
        events.sort_unstable();
        events.dedup();
        events.retain(|&index| !records[index].1);
        events.sort_by_key(|&index| (records[index].0.time, index));
        let mut checker = Checker::focused(focus);
        for &index in &events {
            checker.observe(&records[index].0);
        }
        findings.extend(checker.finish());
    }
    Ok(findings)
}

impl Repository {
    /// Runs every rule over all stored events that are not retracted, in time order.
    ///
    /// The rules follow each product on its own, except that an event on a parent acts on
    /// what is packed inside it. So the EPCs are split into aggregation families (connected
    /// through any parent/child link ever stored, found with a union-find over EPC ids), and
    /// each family is checked alone over the events naming its members, read from the
    /// database in time order. Memory is the page cache, a few bytes per EPC id, and the
    /// state of one family; the findings are those of one pass over all events in time order.
    pub fn check(&self) -> Result<Vec<Finding>, TraceError> {
        let mut findings = Vec::new();
        self.check_each(&mut |finding| {
            findings.push(finding);
            ControlFlow::Continue(())
        })?;
        findings.sort();
        findings.dedup();
        Ok(findings)
    }

    /// As [`Repository::check`], handing each finding to `found` as soon as its family is
    /// done instead of collecting them: the `hash-mismatch` findings first, then each
    /// family's findings (sorted within the family; the families in the order of their
    /// first-interned EPC). Memory does not grow with the number of findings. The check
    /// stops early, without error, when `found` breaks (a reader that went away, a limit
    /// reached).
    pub fn check_each(
        &self,
        found: &mut dyn FnMut(Finding) -> ControlFlow<()>,
    ) -> Result<(), TraceError> {
        // One read transaction for the whole check: otherwise each of the many small queries
        // takes and releases the file lock and looks for a hot journal (three system calls).
        let snapshot = self.connection.unchecked_transaction()?;
        self.check_in(found)?;
        snapshot.commit()?;
        Ok(())
    }

    fn check_in(
        &self,
        found: &mut dyn FnMut(Finding) -> ControlFlow<()>,
    ) -> Result<(), TraceError> {
        let mut mismatches = self.connection.prepare(
            "SELECT facts FROM events WHERE mismatch = 1 AND retracted = 0 ORDER BY seq",
        )?;
        let mut rows = mismatches.query([])?;
        while let Some(row) = rows.next()? {
            let facts = decode_facts(blob_of(row.get_ref(0)?)?)?;
            if let Some(finding) = hash_mismatch(&facts)
                && found(finding).is_break()
            {
                return Ok(());
            }
        }
        let count: i64 =
            self.connection
                .query_row("SELECT COALESCE(MAX(id), 0) FROM epcs", [], |r| r.get(0))?;
        let count = usize::try_from(count)
            .ok()
            .filter(|c| *c < u32::MAX as usize)
            .ok_or_else(|| TraceError::Corrupt {
                what: "EPC ids",
                message: format!("largest id {count} out of range"),
            })?
            + 1;
        let mut links = self
            .connection
            .prepare("SELECT parent, child FROM event_links")?;
        let families = Families::group(
            count,
            links
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .map(|link| link.map_err(TraceError::from)),
        )?;
        // One family's EPCs and their events: by id range when the ids are contiguous (EPCs
        // met together are interned together), else one id at a time.
        let mut epc_range = self.connection.prepare(
            "SELECT p.epc, ee.seq FROM epcs p LEFT JOIN event_epcs ee ON ee.epc = p.id WHERE p.id BETWEEN ?1 AND ?2",
        )?;
        // A family's events: by seq range when they lie close together, else one by one.
        let mut event_range = self.connection.prepare(
            "SELECT seq, event_time, facts FROM events WHERE seq BETWEEN ?1 AND ?2 AND retracted = 0",
        )?;
        // This thread reads each family's EPCs and events from the database; a second one
        // parses the events and runs the rules, handing the findings back.
        std::thread::scope(|scope| {
            let (to_checker, inbox) = std::sync::mpsc::sync_channel::<Vec<Family>>(8);
            let (results, outbox) = std::sync::mpsc::channel::<Result<Vec<Finding>, TraceError>>();
            scope.spawn(move || {
                for batch in inbox {
                    for family in batch {
                        if results.send(check_family(family)).is_err() {
                            return;
                        }
                    }
                }
            });
            // Hands a family's findings on; `Break` when the caller wants no more.
            let mut deliver =
                |result: Result<Vec<Finding>, TraceError>| -> Result<ControlFlow<()>, TraceError> {
                    for finding in result? {
                        if found(finding).is_break() {
                            return Ok(ControlFlow::Break(()));
                        }
                    }
                    Ok(ControlFlow::Continue(()))
                };
            let mut seqs: Vec<i64> = Vec::new();
            let mut batch: Vec<Family> = Vec::with_capacity(FAMILIES);
            for family in families.iter() {
                let mut focus = HashSet::with_capacity(family.len());
                seqs.clear();
                let mut at = 0;
                while at < family.len() {
                    // The longest run of consecutive ids from `at`.
                    let mut end = at + 1;
                    while end < family.len() && family[end] == family[end - 1] + 1 {
                        end += 1;
                    }
                    let mut rows = epc_range
                        .query(params![i64::from(family[at]), i64::from(family[end - 1])])?;
                    while let Some(row) = rows.next()? {
                        let epc = text_of(row.get_ref(0)?)?;
                        if !focus.contains(epc) {
                            focus.insert(epc.to_owned());
                        }
                        if let Some(seq) = row.get::<_, Option<i64>>(1)? {
                            seqs.push(seq);
                        }
                    }
                    at = end;
                }
                seqs.sort_unstable();
                seqs.dedup();
                let mut events = Vec::with_capacity(seqs.len());
                let mut at = 0;
                while at < seqs.len() {
                    // Extend the range while it stays at least half full.
                    let mut end = at + 1;
                    while end < seqs.len() && seqs[end] - seqs[at] < 2 * (end - at + 1) as i64 {
                        end += 1;
                    }
                    let mut rows = event_range.query(params![seqs[at], seqs[end - 1]])?;
                    while let Some(row) = rows.next()? {
                        let seq: i64 = row.get(0)?;
                        if seqs[at..end].binary_search(&seq).is_ok() {
                            let time: i64 = row.get(1)?;
                            events.push((time, seq, blob_of(row.get_ref(2)?)?.to_owned()));
                        }
                    }
                    at = end;
                }
                batch.push(Family { focus, events });
                if batch.len() == FAMILIES {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(FAMILIES));
                    if to_checker.send(full).is_err() {
                        break;
                    }
                    for result in outbox.try_iter() {
                        if deliver(result)?.is_break() {
                            return Ok(());
                        }
                    }
                }
            }
            // A send fails only when the checker stopped; its results say why.
            let _ = to_checker.send(batch);
            drop(to_checker);
            for result in outbox {
                if deliver(result)?.is_break() {
                    break;
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(count: usize, links: &[(i64, i64)], expected: &[&[u32]]) {
        let families =
            Families::group(count, links.iter().map(|&link| Ok(link))).expect("in range");
        let got: Vec<&[u32]> = families.iter().collect();
        assert_eq!(got, expected, "links {links:?}");
    }

    #[test]
    fn families_are_ordered_by_their_smallest_member() {
        check(1, &[], &[]);
        check(4, &[], &[&[1], &[2], &[3]]);
        // Whichever member becomes the root, the family comes where its smallest id is.
        check(6, &[(5, 1), (3, 5)], &[&[1, 3, 5], &[2], &[4]]);
        check(6, &[(4, 2), (2, 5), (1, 3)], &[&[1, 3], &[2, 4, 5]]);
    }

    #[test]
    fn an_id_out_of_range_is_a_corrupt_repository() {
        for link in [(0, 9), (-1, 1), (3, i64::MAX)] {
            match Families::group(4, [Ok(link)]) {
                Err(TraceError::Corrupt { what, message }) => {
                    assert_eq!(what, "EPC link");
                    assert!(message.contains("out of range"), "{message}");
                }
                other => panic!("{link:?}: {:?}", other.map(|f| f.members)),
            }
        }
    }
}
