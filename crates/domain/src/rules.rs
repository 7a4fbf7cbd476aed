//! How the domain says no: every refusal lists every reason, each with a stable code
//! (for translation and for programs), an English message, and where it applies.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::ids::PersonId;
use crate::values::ValueError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Violation {
    /// Stable machine-readable code, e.g. `consent.reflection_period`.
    pub code: &'static str,
    /// What is wrong, in English.
    pub message: String,
    /// The path of the input field at fault (`members/0/date_of_birth`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The person the condition is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<PersonId>,
    /// Values a translation needs (dates, names of conditions).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<&'static str, String>,
}

impl Violation {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            person_id: None,
            params: BTreeMap::new(),
        }
    }

    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn person(mut self, id: PersonId) -> Self {
        self.person_id = Some(id);
        self
    }

    pub fn param(mut self, key: &'static str, value: impl ToString) -> Self {
        self.params.insert(key, value.to_string());
        self
    }

    pub fn from_value_error(e: ValueError, field: impl Into<String>) -> Self {
        Violation::new(e.code, e.message).at(field)
    }
}

/// A command refused, with every reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Refusal {
    pub violations: Vec<Violation>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msgs: Vec<&str> = self.violations.iter().map(|v| v.message.as_str()).collect();
        write!(f, "refused: {}", msgs.join("; "))
    }
}

impl Refusal {
    pub fn one(v: Violation) -> Self {
        Self {
            violations: vec![v],
        }
    }

    pub fn has(&self, code: &str) -> bool {
        self.violations.iter().any(|v| v.code == code)
    }
}

/// Collects violations; `finish` refuses if there are any.
#[derive(Debug, Default)]
pub struct Check(pub Vec<Violation>);

impl Check {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, v: Violation) {
        self.0.push(v);
    }

    pub fn require(&mut self, ok: bool, v: impl FnOnce() -> Violation) {
        if !ok {
            self.0.push(v());
        }
    }

    pub fn extend(&mut self, vs: impl IntoIterator<Item = Violation>) {
        self.0.extend(vs);
    }

    pub fn finish(self) -> Result<(), Refusal> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Refusal { violations: self.0 })
        }
    }
}
