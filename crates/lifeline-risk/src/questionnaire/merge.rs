//! Merging a filled questionnaire into the vendor's entry of the register.

use super::{Filled, Measure};
use crate::model::Register;

/// What a merge changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Merged {
    /// Answers to questions the vendor had not answered before.
    pub added: usize,
    /// Answers that replaced an earlier answer to the same question.
    pub replaced: usize,
    /// Controls set from the controls questionnaire.
    pub controls: usize,
}

/// Why a filled questionnaire could not be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("the register has no vendor `{}`{}", lifeline_text::excerpt(.vendor), .suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownVendor {
        vendor: String,
        suggestion: Option<String>,
    },
    #[error("the questionnaire was filled in for vendor `{}`, not `{}`", lifeline_text::excerpt(.filled), lifeline_text::excerpt(.asked))]
    VendorMismatch { filled: String, asked: String },
}

/// Merges `filled` into vendor `vendor_id` of `register`: an answer to a question the
/// vendor answered before replaces it in place, a new one is appended (in the
/// questionnaire's order). A control from the controls questionnaire replaces whether the
/// control is in place and its evidence, and the measurements it gives
/// (`restore_hours`, `last_tested`, ...); a measurement it does not give keeps the
/// register's value. Nothing changes on error.
pub fn merge(
    register: &mut Register,
    vendor_id: &str,
    filled: Filled,
) -> Result<Merged, MergeError> {
    if let Some(named) = &filled.vendor
        && named != vendor_id
    {
        return Err(MergeError::VendorMismatch {
            filled: named.clone(),
            asked: vendor_id.to_owned(),
        });
    }
    let suggestion =
        lifeline_text::suggest(vendor_id, register.vendors.iter().map(|v| v.id.as_str()))
            .map(str::to_owned);
    let Some(vendor) = register.vendors.iter_mut().find(|v| v.id == vendor_id) else {
        return Err(MergeError::UnknownVendor {
            vendor: vendor_id.to_owned(),
            suggestion,
        });
    };
    let mut merged = Merged::default();
    for answer in filled.answers {
        match vendor
            .answers
            .iter_mut()
            .find(|a| a.question == answer.question)
        {
            Some(earlier) => {
                *earlier = answer;
                merged.replaced += 1;
            }
            None => {
                vendor.answers.push(answer);
                merged.added += 1;
            }
        }
    }
    for (id, control) in filled.controls.0 {
        let entry = vendor.controls.0.entry(id).or_default();
        entry.in_place = control.in_place;
        entry.evidence = control.evidence.clone();
        for measure in Measure::ALL {
            if let Some(value) = measure.get(&control) {
                measure.set(entry, value);
            }
        }
        merged.controls += 1;
    }
    Ok(merged)
}
