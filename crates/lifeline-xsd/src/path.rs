//! Element paths (`/bom/components[1]/component[3]/hashes[1]/hash[1]/@alg`) for problems.
//!
//! libxml2's streaming validator has no tree, so it cannot say where an element sits; the
//! [`Tracker`] follows the SAX start and end events beside the validator and counts
//! same-named siblings, so every problem gets the path of the element being validated.

use std::fmt;
use std::rc::Rc;

/// One element step of a path: its local name and its 1-based position among the siblings
/// of the same name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementStep {
    /// The local name (no prefix, no namespace).
    pub name: String,
    /// 1-based position among same-named siblings.
    pub index: u32,
}

/// Where a problem is: the element steps from the root, and an attribute when the problem
/// is about one. Displayed as an XPath, the root step without index:
/// `/bom/components[1]/component[3]/hashes[1]/hash[1]/@alg`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XsdPath {
    /// The elements, root first; empty before the root element starts.
    pub elements: Vec<ElementStep>,
    /// The attribute's local name, when the problem is about an attribute.
    pub attribute: Option<String>,
}

impl XsdPath {
    /// Whether the path names nothing (a problem before the root element).
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty() && self.attribute.is_none()
    }
}

impl fmt::Display for XsdPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (depth, step) in self.elements.iter().enumerate() {
            if depth == 0 {
                write!(f, "/{}", step.name)?;
            } else {
                write!(f, "/{}[{}]", step.name, step.index)?;
            }
        }
        if let Some(attribute) = &self.attribute {
            write!(f, "/@{attribute}")?;
        }
        Ok(())
    }
}

struct Frame {
    name: Rc<str>,
    index: u32,
    /// Distinct child names seen so far with their counts (few per element, so a vector).
    children: Vec<(Rc<str>, u32)>,
}

/// Follows SAX element events. An end event pops its element lazily, at the next event,
/// because libxml2 reports end-of-element problems (a missing child) after the user's end
/// callback has run; until then the closed element is still the current one.
#[derive(Default)]
pub(crate) struct Tracker {
    frames: Vec<Frame>,
    roots: Vec<(Rc<str>, u32)>,
    pending_pop: bool,
}

impl Tracker {
    fn settle(&mut self) {
        if self.pending_pop {
            self.frames.pop();
            self.pending_pop = false;
        }
    }

    /// An element starts.
    pub(crate) fn start(&mut self, name: &[u8]) {
        self.settle();
        let siblings = match self.frames.last_mut() {
            Some(parent) => &mut parent.children,
            None => &mut self.roots,
        };
        let (name, index) = match siblings
            .iter_mut()
            .find(|(seen, _)| seen.as_bytes() == name)
        {
            Some((seen, count)) => {
                *count += 1;
                (Rc::clone(seen), *count)
            }
            None => {
                let seen: Rc<str> = Rc::from(String::from_utf8_lossy(name).as_ref());
                siblings.push((Rc::clone(&seen), 1));
                (seen, 1)
            }
        };
        self.frames.push(Frame {
            name,
            index,
            children: Vec::new(),
        });
    }

    /// An element ends.
    pub(crate) fn end(&mut self) {
        self.settle();
        self.pending_pop = true;
    }

    /// The current path, with the attribute named in libxml2's `message` if any.
    pub(crate) fn path(&self, message: &str) -> XsdPath {
        XsdPath {
            elements: self
                .frames
                .iter()
                .map(|frame| ElementStep {
                    name: frame.name.to_string(),
                    index: frame.index,
                })
                .collect(),
            attribute: attribute_in(message),
        }
    }
}

/// libxml2 names the attribute of an attribute problem as `Element 'x', attribute 'y': ...`.
fn attribute_in(message: &str) -> Option<String> {
    let head = message.split(": ").next()?;
    let rest = head.split(", attribute '").nth(1)?;
    let name = rest.strip_suffix('\'')?;
    let local = name.rsplit('}').next().unwrap_or(name);
    Some(local.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_count_same_named_siblings_and_pop_lazily() {
        let mut tracker = Tracker::default();
        tracker.start(b"bom");
        tracker.start(b"components");
        for _ in 0..3 {
            tracker.start(b"component");
            tracker.end();
        }
        assert_eq!(
            tracker.path("").to_string(),
            "/bom/components[1]/component[3]"
        );
        tracker.start(b"service");
        assert_eq!(
            tracker.path("").to_string(),
            "/bom/components[1]/service[1]"
        );
    }

    #[test]
    fn attributes_come_from_the_message() {
        assert_eq!(
            attribute_in("Element '{urn:x}hash', attribute 'alg': [facet 'enumeration'] bad"),
            Some("alg".to_owned())
        );
        assert_eq!(attribute_in("Element 'hash': bad: worse"), None);
        assert_eq!(
            attribute_in("Element 'a', attribute '{urn:y}b': x"),
            Some("b".to_owned())
        );
    }
}
