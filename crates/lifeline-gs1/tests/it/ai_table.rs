//! The AI table of this crate against an independent one: the GS1 AI table that the Python
//! library biip 5.2.0 ships (generated from GS1's data; `tests/data/gs1-identifiers/
//! biip-application-identifiers.json`, Apache-2.0). For every AI this crate knows (and a
//! member of each family), the data title, the FNC1 rule and the value format must agree:
//! values valid here must match biip's pattern, and values made invalid by one character
//! outside the set, or by one character too many, must fail both.

use lifeline_gs1::{
    AIS, AiDefinition, Charset, Lint, Role, check_character_pair, check_digit, lookup,
};
use regex::Regex;
use serde_json::Value;

use crate::read;

struct Reference {
    title: String,
    separator_required: bool,
    pattern: Regex,
}

fn reference(table: &[Value], ai: &str) -> Option<Reference> {
    let entry = table.iter().find(|e| e["ai"] == ai)?;
    Some(Reference {
        title: entry["data_title"].as_str()?.to_owned(),
        separator_required: entry["separator_required"].as_bool()?,
        pattern: Regex::new(entry["pattern"].as_str()?).ok()?,
    })
}

/// Characters of each set, cycled through so that the samples cover the whole set.
fn alphabet(set: Charset) -> Vec<char> {
    match set {
        Charset::Numeric => "0123456789".chars().collect(),
        Charset::Cset82 => lifeline_gs1::CSET82.chars().collect(),
        Charset::Cset39 => lifeline_gs1::CSET39.chars().collect(),
        // `=` is padding only (and biip's pattern leaves it out).
        Charset::Cset64 => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            .chars()
            .collect(),
    }
}

/// A character outside the set.
fn outsider(set: Charset) -> char {
    match set {
        Charset::Numeric => 'A',
        Charset::Cset82 => '#',
        Charset::Cset39 => 'a',
        Charset::Cset64 => '!',
    }
}

/// A value for each component that passes this crate's rules, filling variable components to
/// `fill` (their maximum or minimum length) with characters from offset `seed`.
fn sample(definition: &AiDefinition, fill_max: bool, seed: usize) -> Vec<String> {
    // A key starts with a company prefix; biip asks for at least 5 characters there.
    let shortest = if definition.role == Role::PrimaryKey {
        6
    } else {
        1
    };
    let mut parts = Vec::new();
    for component in definition.components {
        let length = if fill_max {
            usize::from(component.max)
        } else {
            usize::from(component.min)
                .max(shortest)
                .min(usize::from(component.max))
        };
        let set = alphabet(component.charset);
        let text: String = (0..length).map(|i| set[(seed + i) % set.len()]).collect();
        let value = match component.lint {
            Lint::None => text,
            Lint::CheckDigit => {
                let body: String = "1234567890123456789"[..length - 1].to_owned();
                format!("{body}{}", check_digit(&body).unwrap())
            }
            Lint::CheckPair => {
                let data: String = text.chars().take(length - 2).collect();
                let pair = check_character_pair(&data).unwrap();
                format!("{data}{}{}", pair[0], pair[1])
            }
            Lint::DateDay00 | Lint::Date => "261231".to_owned(),
            Lint::DateHour => "26123123".to_owned(),
            Lint::HourMinute => "2359".chars().take(length.min(4) / 4 * 4).collect(),
            Lint::MinuteSecond => "5959".chars().take(length / 2 * 2).collect(),
            Lint::NoZeroPrefix => format!("1{}", &text[1..]),
            Lint::Zero => "0".to_owned(),
            Lint::PieceOfTotal => "0102".to_owned(),
            Lint::CountryList => "208756"[..length.min(6) / 3 * 3].to_owned(),
            Lint::Base64Padding => text,
        };
        parts.push(value);
    }
    parts
}

fn check_ai(table: &[Value], ai: &str, failures: &mut Vec<String>) -> usize {
    let definition = lookup(ai).unwrap();
    let Some(reference) = reference(table, ai) else {
        failures.push(format!("AI ({ai}) is not in the reference table"));
        return 0;
    };
    if !definition.title.is_empty() && definition.code == ai && reference.title != definition.title
    {
        failures.push(format!(
            "AI ({ai}) title `{}`, reference `{}`",
            definition.title, reference.title
        ));
    }
    if reference.separator_required == definition.is_predefined_length() {
        failures.push(format!(
            "AI ({ai}) FNC1 rule differs (reference separator_required={})",
            reference.separator_required
        ));
    }
    let mut checked = 0;
    for (fill_max, seed) in [(true, 0), (true, 41), (false, 7), (true, 13), (true, 60)] {
        let parts = sample(definition, fill_max, seed);
        let value: String = parts.concat();
        if let Err(error) = definition.validate(ai, &value) {
            failures.push(format!("AI ({ai}) sample `{value}` rejected here: {error}"));
            continue;
        }
        if !reference.pattern.is_match(&format!("{ai}{value}")) {
            failures.push(format!(
                "AI ({ai}) `{value}` valid here, not for the reference"
            ));
        }
        checked += 1;
        // One character too many.
        let longer = format!("{value}1");
        if fill_max
            && (definition.validate(ai, &longer).is_ok()
                || reference.pattern.is_match(&format!("{ai}{longer}")))
        {
            failures.push(format!(
                "AI ({ai}) `{longer}` (too long) accepted by one side"
            ));
        }
        // One character outside each component's set.
        let mut start = 0;
        for (component, part) in definition.components.iter().zip(&parts) {
            if part.is_empty() {
                continue;
            }
            let mut broken: Vec<char> = value.chars().collect();
            broken[start] = outsider(component.charset);
            let broken: String = broken.into_iter().collect();
            let here = definition.validate(ai, &broken).is_ok();
            let there = reference.pattern.is_match(&format!("{ai}{broken}"));
            if here || there {
                failures.push(format!(
                    "AI ({ai}) `{broken}`: accepted here {here}, by the reference {there}"
                ));
            }
            start += part.chars().count();
        }
    }
    checked
}

#[test]
fn ai_table_agrees_with_an_independent_table() {
    let table: Value =
        serde_json::from_str(&read("gs1-identifiers/biip-application-identifiers.json")).unwrap();
    let table = table.as_array().unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    let family_members = [
        "3103", "3205", "3302", "3571", "3695", "3901", "3912", "3925", "3937", "3941", "3953",
        "7031", "91", "99",
    ];
    let codes: Vec<&str> = AIS.iter().map(|d| d.code).chain(family_members).collect();
    for ai in &codes {
        checked += check_ai(table, ai, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(codes.len(), AIS.len() + family_members.len());
    assert!(checked >= 5 * codes.len() - 10, "{checked} samples checked");
}
