//! GS1 element strings: the bracketed human-readable form `(01)09506000134352(21)ABC`
//! and the unbracketed barcode form, AIs run together with FNC1 (ASCII GS, 0x1D) after
//! each variable-length value, optionally led by a symbology identifier (`]C1`, `]d2`,
//! `]Q3`, `]J1`, `]e0`).

use std::fmt;

use crate::ai::{AiDefinition, ai_length, lookup, qualifiers_of};
use crate::error::Gs1Error;

/// The FNC1 separator in the unbracketed form (ASCII group separator).
pub const GS: char = '\u{1d}';

/// One AI with its value (validated against the AI's format when built by a parser).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Element {
    /// The AI, 2 to 4 digits.
    pub ai: String,
    /// The value, unescaped.
    pub value: String,
}

impl Element {
    /// An element, checked against the AI's format.
    pub fn new(ai: &str, value: &str) -> Result<Self, Gs1Error> {
        let identifier = format!("({ai}){value}");
        let definition = known(&identifier, ai)?;
        definition.validate(&identifier, value)?;
        Ok(Element {
            ai: ai.to_owned(),
            value: value.to_owned(),
        })
    }

    /// What this crate knows about the AI.
    pub fn definition(&self) -> Option<&'static AiDefinition> {
        lookup(&self.ai)
    }
}

fn known(identifier: &str, ai: &str) -> Result<&'static AiDefinition, Gs1Error> {
    lookup(ai).ok_or_else(|| {
        Gs1Error::ai(
            identifier,
            format!("AI ({ai})"),
            "unknown Application Identifier",
        )
    })
}

/// A list of AI elements, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ElementString {
    /// The elements, in order.
    pub elements: Vec<Element>,
}

impl ElementString {
    /// Parses either form: bracketed if `text` starts with `(`, else unbracketed.
    pub fn parse(text: &str) -> Result<Self, Gs1Error> {
        if text.starts_with('(') {
            Self::parse_bracketed(text)
        } else {
            Self::parse_unbracketed(text)
        }
    }

    /// Parses `(01)09506000134352(21)ABC`. A `(` inside a value is written `\(`; a value
    /// otherwise ends where the next `(digits)` starts.
    pub fn parse_bracketed(text: &str) -> Result<Self, Gs1Error> {
        let characters: Vec<char> = text.chars().collect();
        let mut elements = Vec::new();
        let mut i = 0;
        if characters.is_empty() {
            return Err(Gs1Error::syntax(text, "element string", "is empty"));
        }
        while i < characters.len() {
            if characters[i] != '(' {
                return Err(Gs1Error::syntax(
                    text,
                    format!("character {}", i + 1),
                    "expected `(` starting an AI",
                ));
            }
            let close = characters[i + 1..]
                .iter()
                .position(|c| *c == ')')
                .map(|p| p + i + 1)
                .ok_or_else(|| {
                    Gs1Error::syntax(text, format!("character {}", i + 1), "`(` without `)`")
                })?;
            let ai: String = characters[i + 1..close].iter().collect();
            if !(2..=4).contains(&ai.len()) || !ai.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Gs1Error::ai(
                    text,
                    format!("AI ({ai})"),
                    "an AI is 2 to 4 digits",
                ));
            }
            let mut value = String::new();
            let mut j = close + 1;
            while j < characters.len() {
                let c = characters[j];
                if c == '\\' && characters.get(j + 1) == Some(&'(') {
                    value.push('(');
                    j += 2;
                    continue;
                }
                if c == '(' && starts_ai(&characters[j..]) {
                    break;
                }
                value.push(c);
                j += 1;
            }
            elements.push(checked_element(text, &ai, &value)?);
            i = j;
        }
        let result = ElementString { elements };
        result.check_relations(text)?;
        Ok(result)
    }

    /// Parses the unbracketed form: AIs run together, FNC1 (GS, 0x1D) after each
    /// variable-length value except the last, optional symbology identifier in front.
    pub fn parse_unbracketed(text: &str) -> Result<Self, Gs1Error> {
        let mut rest = text;
        for prefix in ["]C1", "]d2", "]Q3", "]J1", "]e0"] {
            if let Some(stripped) = rest.strip_prefix(prefix) {
                rest = stripped;
                break;
            }
        }
        rest = rest.trim_start_matches(GS);
        if rest.is_empty() {
            return Err(Gs1Error::syntax(text, "element string", "is empty"));
        }
        let mut elements = Vec::new();
        while !rest.is_empty() {
            let position = text.len() - rest.len() + 1;
            let length = ai_length(rest)
                .filter(|l| {
                    rest.len() >= *l && rest.as_bytes()[..*l].iter().all(u8::is_ascii_digit)
                })
                .ok_or_else(|| {
                    Gs1Error::ai(
                        text,
                        format!("byte {position}"),
                        "no known Application Identifier starts here",
                    )
                })?;
            let ai = &rest[..length];
            let definition = known(text, ai)?;
            rest = &rest[length..];
            let value_end = if definition.is_fixed_length() {
                let wanted = definition.max_length();
                let end = rest
                    .char_indices()
                    .nth(wanted)
                    .map_or(rest.len(), |(i, _)| i);
                if rest[..end].contains(GS) {
                    return Err(Gs1Error::length(
                        text,
                        format!("AI ({ai})"),
                        format!("exactly {wanted}"),
                        rest[..end].find(GS).unwrap_or(0),
                    ));
                }
                end
            } else {
                rest.find(GS).unwrap_or(rest.len())
            };
            let value = &rest[..value_end];
            elements.push(checked_element(text, ai, value)?);
            rest = &rest[value_end..];
            if let Some(stripped) = rest.strip_prefix(GS) {
                rest = stripped;
            }
        }
        let result = ElementString { elements };
        result.check_relations(text)?;
        Ok(result)
    }

    /// The value of the first element with AI `ai`.
    pub fn get(&self, ai: &str) -> Option<&str> {
        self.elements
            .iter()
            .find(|e| e.ai == ai)
            .map(|e| e.value.as_str())
    }

    /// Writes the bracketed form; a `(` in a value is written `\(`.
    pub fn to_bracketed(&self) -> String {
        let mut out = String::new();
        for element in &self.elements {
            out.push('(');
            out.push_str(&element.ai);
            out.push(')');
            out.push_str(&element.value.replace('(', "\\("));
        }
        out
    }

    /// Writes the unbracketed form without symbology identifier: GS after every value
    /// whose AI is not of predefined length, except the last.
    pub fn to_unbracketed(&self) -> String {
        let mut out = String::new();
        for (index, element) in self.elements.iter().enumerate() {
            out.push_str(&element.ai);
            out.push_str(&element.value);
            let predefined = element
                .definition()
                .is_some_and(AiDefinition::is_predefined_length);
            if !predefined && index + 1 < self.elements.len() {
                out.push(GS);
            }
        }
        out
    }

    /// Checks the relations between AIs: no AI twice with different values, and each key
    /// qualifier accompanied by a primary key it qualifies.
    fn check_relations(&self, identifier: &str) -> Result<(), Gs1Error> {
        for (index, element) in self.elements.iter().enumerate() {
            if let Some(other) = self.elements[..index].iter().find(|e| e.ai == element.ai)
                && other.value != element.value
            {
                return Err(Gs1Error::ai(
                    identifier,
                    format!("AI ({})", element.ai),
                    format!(
                        "appears twice with different values `{}` and `{}`",
                        other.value, element.value
                    ),
                ));
            }
            // AI (7040) may stand without a key (GS1 Barcode Syntax Dictionary: no `req`).
            if element.ai == "7040" {
                continue;
            }
            let qualified_by: Vec<&str> =
                ["01", "8006", "414", "417", "8004", "8010", "8017", "8018"]
                    .into_iter()
                    .filter(|key| qualifiers_of(key).contains(&element.ai.as_str()))
                    .collect();
            // AI 22 and 10 also qualify an AI (02) content GTIN in logistic labels.
            let also_with_02 = matches!(element.ai.as_str(), "10" | "22");
            if !qualified_by.is_empty()
                && !self.elements.iter().any(|e| {
                    qualified_by.contains(&e.ai.as_str()) || (also_with_02 && e.ai == "02")
                })
            {
                return Err(Gs1Error::ai(
                    identifier,
                    format!("AI ({})", element.ai),
                    format!("needs AI ({}) with it", qualified_by.join(") or (")),
                ));
            }
        }
        if self.get("21").is_some() && self.get("235").is_some() {
            return Err(Gs1Error::ai(
                identifier,
                "AI (235)",
                "AI (21) and AI (235) exclude each other",
            ));
        }
        if self.get("01").is_some() && self.get("02").is_some() {
            return Err(Gs1Error::ai(
                identifier,
                "AI (02)",
                "AI (01) and AI (02) exclude each other",
            ));
        }
        Ok(())
    }
}

fn checked_element(identifier: &str, ai: &str, value: &str) -> Result<Element, Gs1Error> {
    let definition = known(identifier, ai)?;
    definition.validate(identifier, value)?;
    Ok(Element {
        ai: ai.to_owned(),
        value: value.to_owned(),
    })
}

/// Whether `characters` start with `(` 2-4 digits `)`.
fn starts_ai(characters: &[char]) -> bool {
    let digits = characters[1..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    (2..=4).contains(&digits) && characters.get(1 + digits) == Some(&')')
}

impl fmt::Display for ElementString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_bracketed())
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first unexpected value"
)]
mod tests {
    use super::*;

    #[test]
    fn both_forms() {
        let bracketed = ElementString::parse("(01)09506000134352(17)261231(10)ABC(21)XYZ").unwrap();
        assert_eq!(bracketed.get("10"), Some("ABC"));
        let unbracketed = ElementString::parse(
            "]d2010950600013435217261231\
10ABC\u{1d}21XYZ",
        )
        .unwrap();
        assert_eq!(bracketed, unbracketed);
        assert_eq!(
            bracketed.to_unbracketed(),
            "01095060001343521726123110ABC\u{1d}21XYZ"
        );
        assert_eq!(
            ElementString::parse(&bracketed.to_unbracketed()).unwrap(),
            bracketed
        );
        assert!(ElementString::parse("(21)ABC").is_err());
        assert!(ElementString::parse("(01)09506000134352(17)261331").is_err());
        assert!(ElementString::parse("(01)09506000134352(21)A(21)B").is_err());
        assert!(
            ElementString::parse("(01)09506000134352(21)A\\(1")
                .unwrap()
                .get("21")
                == Some("A(1")
        );
        assert!(ElementString::parse("0109506000134352\u{1d}").is_ok());
        assert!(ElementString::parse("01095060001343").is_err());
        assert!(ElementString::parse("").is_err());
    }
}
