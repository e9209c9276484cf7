//! A string that is never printed: webhook passwords and API passwords.

use std::{borrow::Cow, fmt};

use serde::{Deserialize, Serialize};

/// What [`Secret`] prints instead of its value.
pub const REDACTED: &str = "[redacted]";

/// A password. `Debug` and `Display` print [`REDACTED`] (or `""` when it is empty, since
/// an unset password is not a secret); [`Secret::expose`] is the one way to read it.
///
/// It serializes as the plain string, because that is what the API expects on the wire.
/// Code that prints a serialized value (logs, CLI `--json`) must redact it itself.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The password itself. Call it only to send it or compare it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `true` when no password is set (`""`).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("Secret(\"\")")
        } else {
            write!(f, "Secret({REDACTED})")
        }
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() { Ok(()) } else { f.write_str(REDACTED) }
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl schemars::JsonSchema for Secret {
    fn schema_name() -> Cow<'static, str> {
        "Password".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "null"], "format": "password" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_printed() {
        let secret = Secret::new("hunter2");
        assert!(!format!("{secret:?} {secret} {secret:#?}").contains("hunter2"));
        assert_eq!(secret.expose(), "hunter2");
        assert_eq!(serde_json::to_string(&secret).unwrap(), r#""hunter2""#);
    }

    #[test]
    fn empty_is_shown_as_unset() {
        assert_eq!(format!("{:?}", Secret::default()), r#"Secret("")"#);
    }
}
