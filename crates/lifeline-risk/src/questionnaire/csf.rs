//! The NIST Cybersecurity Framework 2.0, read from its OSCAL catalogue (XML): functions,
//! categories and subcategories with their statements and implementation examples.
//!
//! The catalogue also carries the CSF 1.1 categories and subcategories that 2.0 withdrew,
//! with no property that says so; they are told apart by what they lack (data/SOURCES.md):
//! a withdrawn category has an empty statement, a withdrawn subcategory no implementation
//! example. Only CSF 2.0's are kept.

use std::sync::OnceLock;

const OSCAL: &str = "http://csrc.nist.gov/ns/oscal/1.0";

/// The embedded catalogue (data/NIST_CSF_v2.0_catalog.xml).
pub const CATALOGUE_XML: &str = include_str!("../../data/NIST_CSF_v2.0_catalog.xml");

/// CSF 2.0 as the questionnaires use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    /// `NIST Cybersecurity Framework 2.0`.
    pub title: String,
    /// The catalogue's own version (`1.0.0`).
    pub version: String,
    /// The catalogue's publication date and time, as written.
    pub published: String,
    pub functions: Vec<Function>,
}

/// A function (`GV` GOVERN, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub id: String,
    /// `GOVERN`.
    pub title: String,
    pub categories: Vec<Category>,
}

/// A category (`GV.SC`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: String,
    /// `Cybersecurity Supply Chain Risk Management`.
    pub title: String,
    pub statement: String,
    pub subcategories: Vec<Subcategory>,
}

/// A subcategory (`GV.SC-05`): the outcome and the examples of how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subcategory {
    pub id: String,
    pub statement: String,
    pub examples: Vec<String>,
}

/// Why a catalogue could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("the CSF catalogue is not well-formed XML: {0}")]
    Xml(String),
    #[error("the CSF catalogue's root is `{0}`, expected an OSCAL `catalog`")]
    NotACatalogue(String),
    #[error("the CSF catalogue: {0}")]
    Missing(String),
}

impl Catalogue {
    pub fn categories(&self) -> impl Iterator<Item = &Category> {
        self.functions.iter().flat_map(|f| f.categories.iter())
    }

    pub fn subcategories(&self) -> impl Iterator<Item = &Subcategory> {
        self.categories().flat_map(|c| c.subcategories.iter())
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories().find(|c| c.id == id)
    }

    pub fn subcategory(&self, id: &str) -> Option<&Subcategory> {
        self.subcategories().find(|s| s.id == id)
    }
}

/// The embedded catalogue, parsed once.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        parse(CATALOGUE_XML)
            .unwrap_or_else(|error| panic!("the embedded CSF catalogue parses (tested): {error}"))
    })
}

/// Reads a CSF 2.0 OSCAL catalogue.
pub fn parse(xml: &str) -> Result<Catalogue, CatalogueError> {
    let document =
        roxmltree::Document::parse(xml).map_err(|e| CatalogueError::Xml(e.to_string()))?;
    let root = document.root_element();
    if !is(root, "catalog") {
        return Err(CatalogueError::NotACatalogue(
            root.tag_name().name().to_owned(),
        ));
    }
    let metadata = child(root, "metadata")
        .ok_or_else(|| CatalogueError::Missing("no `metadata`".to_owned()))?;
    let meta = |name: &str| child(metadata, name).map(text).unwrap_or_default();
    let mut functions = Vec::new();
    for group in children(root, "group") {
        let id = group.attribute("id").unwrap_or_default().to_owned();
        let title = child(group, "title").map(text).unwrap_or_default();
        // "GOVERN function" in the title; the label says `GOVERN (GV)`.
        let title = title.strip_suffix(" function").unwrap_or(&title).to_owned();
        let mut categories = Vec::new();
        for control in children(group, "control") {
            let statement = statement_of(control);
            if statement.is_empty() {
                continue; // withdrawn in 2.0
            }
            let subcategories = children(control, "control")
                .filter_map(|sub| {
                    let examples: Vec<String> = children(sub, "part")
                        .filter(|p| p.attribute("name") == Some("example"))
                        .map(text)
                        .filter(|t| !t.is_empty())
                        .collect();
                    (!examples.is_empty()).then(|| Subcategory {
                        id: sub.attribute("id").unwrap_or_default().to_owned(),
                        statement: statement_of(sub),
                        examples,
                    })
                })
                .collect();
            categories.push(Category {
                id: control.attribute("id").unwrap_or_default().to_owned(),
                title: child(control, "title").map(text).unwrap_or_default(),
                statement,
                subcategories,
            });
        }
        functions.push(Function {
            id,
            title,
            categories,
        });
    }
    if functions.is_empty() {
        return Err(CatalogueError::Missing("no function (`group`)".to_owned()));
    }
    Ok(Catalogue {
        title: meta("title"),
        version: meta("version"),
        published: meta("published"),
        functions,
    })
}

fn statement_of(control: roxmltree::Node<'_, '_>) -> String {
    children(control, "part")
        .find(|p| p.attribute("name") == Some("statement"))
        .map(text)
        .unwrap_or_default()
}

fn is(node: roxmltree::Node<'_, '_>, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace() == Some(OSCAL)
}

fn child<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    node.children().find(|c| is(*c, name))
}

fn children<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> {
    node.children().filter(move |c| is(*c, name))
}

/// The text of an element and its descendants, whitespace runs folded to one space.
fn text(node: roxmltree::Node<'_, '_>) -> String {
    let mut all = String::new();
    for piece in node.descendants().filter(roxmltree::Node::is_text) {
        all.push_str(piece.text().unwrap_or_default());
        all.push(' ');
    }
    all.split_whitespace().collect::<Vec<_>>().join(" ")
}
