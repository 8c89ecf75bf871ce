//! Questionnaires as data. (Owned by the questionnaire helper.)
