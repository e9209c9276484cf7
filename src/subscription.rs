//! Webhook subscriptions: building a valid one, comparing them, showing them safely.
//!
//! The types themselves ([`Webhook`], [`WebhookCreate`]) are generated from the spec;
//! this module adds what the spec cannot say.

use std::collections::BTreeSet;

use crate::{
    Action, Error,
    secret::{REDACTED, Secret},
    types::{Webhook, WebhookCreate},
};

/// The longest `subscription_url` accepted before sending. Thulium documents no limit;
/// this one (the common limit of browsers and proxies) stops accidental megabyte URLs.
pub const MAX_SUBSCRIPTION_URL_LEN: usize = 2048;

impl WebhookCreate {
    /// A subscription of `subscription_url` to `actions`, without Basic auth.
    pub fn new<A: Into<Action>>(
        subscription_url: impl Into<String>,
        actions: impl IntoIterator<Item = A>,
    ) -> Self {
        WebhookCreate {
            actions: actions.into_iter().map(Into::into).collect(),
            subscription_url: subscription_url.into(),
            http_auth_user: None,
            http_auth_password: None,
        }
    }

    /// Makes Thulium send notifications with HTTP Basic auth.
    pub fn with_basic_auth(mut self, user: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.http_auth_user = Some(user.into());
        self.http_auth_password = Some(password.into());
        self
    }

    /// Checks what the API requires, so a bad request fails here with the field named,
    /// not at Thulium.
    pub fn validate(&self) -> Result<(), Error> {
        if self.actions.is_empty() {
            return Err(Error::invalid_input("actions", "at least one action is required"));
        }
        for (position, action) in self.actions.iter().enumerate() {
            let name = action.as_str();
            if name.is_empty() {
                return Err(Error::invalid_input(
                    "actions",
                    format!("action #{} is empty", position + 1),
                ));
            }
            // " CUSTOMER_CREATED" would be sent as an unknown action, and a newline could
            // forge lines wherever the name is printed.
            if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(Error::invalid_input(
                    "actions",
                    format!(
                        "action #{} {name:?} contains white space or control characters",
                        position + 1
                    ),
                ));
            }
        }
        check_subscription_url(&self.subscription_url)
            .map_err(|message| Error::invalid_input("subscription_url", message))?;
        if self.http_auth_user.as_deref().is_some_and(|user| user.contains(':')) {
            return Err(Error::invalid_input(
                "http_auth_user",
                "contains ':', which HTTP Basic auth cannot carry",
            ));
        }
        let password_set = self.http_auth_password.as_ref().is_some_and(|p| !p.is_empty());
        if password_set && self.http_auth_user.as_deref().is_none_or(str::is_empty) {
            return Err(Error::invalid_input(
                "http_auth_user",
                "is empty while a password is set; Basic auth needs a user",
            ));
        }
        Ok(())
    }
}

/// Why a `subscription_url` cannot be used, or `Ok` (an absolute `http`/`https` URL with
/// a host, no credentials in it, at most [`MAX_SUBSCRIPTION_URL_LEN`] bytes).
pub fn check_subscription_url(url: &str) -> Result<(), String> {
    if url.trim().is_empty() {
        return Err("is empty".to_owned());
    }
    // The URL parser would quietly drop these, so the URL sent would not be the one checked.
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains white space or control characters".to_owned());
    }
    if url.len() > MAX_SUBSCRIPTION_URL_LEN {
        return Err(format!(
            "is {} bytes long; at most {MAX_SUBSCRIPTION_URL_LEN} are accepted",
            url.len()
        ));
    }
    let parsed = url::Url::parse(url).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => {
            "is relative; an absolute http:// or https:// URL is required".to_owned()
        }
        other => format!("is not a valid URL ({other})"),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "has the scheme {:?}; only http and https are delivered to",
            parsed.scheme()
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("has no host".to_owned());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("contains credentials; use http_auth_user and http_auth_password".to_owned());
    }
    Ok(())
}

impl Webhook {
    /// `true` when this subscription sends notifications to the same URL for the same set
    /// of actions as `wanted` (order and duplicates do not matter; URLs are compared
    /// after normalisation, so `https://example.pl` equals `https://example.pl/`), with
    /// the same Basic auth user (or none on both). Passwords are not compared: Thulium
    /// may not echo them back.
    pub fn matches(&self, wanted: &WebhookCreate) -> bool {
        let actions = |list: &[Action]| list.iter().cloned().collect::<BTreeSet<_>>();
        let wanted_user = wanted.http_auth_user.as_deref().filter(|u| !u.is_empty());
        same_url(&self.subscription_url, &wanted.subscription_url)
            && actions(&self.actions) == actions(&wanted.actions)
            && self.auth_user() == wanted_user
    }

    /// The HTTP Basic user, with `""`, `null` and a missing key all read as `None`.
    pub fn auth_user(&self) -> Option<&str> {
        self.http_auth_user.as_deref().filter(|u| !u.is_empty())
    }

    /// `true` when Thulium reports a notification password (never its value).
    pub fn has_password(&self) -> bool {
        self.http_auth_password.as_ref().is_some_and(|p| !p.is_empty())
    }

    /// The subscription as JSON for printing, always with the same keys: unset
    /// credentials (`null`, missing or `""`) are `""`, and a set password is
    /// `"[redacted]"`.
    pub fn to_redacted_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).expect("a webhook always serializes");
        value["http_auth_user"] = self.auth_user().unwrap_or_default().into();
        value["http_auth_password"] = if self.has_password() { REDACTED } else { "" }.into();
        value
    }
}

fn same_url(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// What [`crate::Client::ensure_webhook`] did.
#[derive(Clone, Debug, PartialEq)]
pub enum Ensured {
    /// A matching subscription existed; nothing was created.
    Existing(Webhook),
    /// No subscription matched; this one was created.
    Created(Webhook),
}

impl Ensured {
    /// The subscription, existing or new.
    pub fn webhook(&self) -> &Webhook {
        match self {
            Ensured::Existing(webhook) | Ensured::Created(webhook) => webhook,
        }
    }

    /// `true` when the call created it.
    pub fn created(&self) -> bool {
        matches!(self, Ensured::Created(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_urls() {
        assert!(check_subscription_url("https://example.pl").is_ok());
        assert!(check_subscription_url("http://10.0.0.1:8080/hook?x=1").is_ok());
        assert!(check_subscription_url("/hook").unwrap_err().contains("relative"));
        assert!(check_subscription_url("ftp://example.pl").unwrap_err().contains("scheme"));
        assert!(check_subscription_url("").unwrap_err().contains("empty"));
        assert!(
            check_subscription_url("https://u:p@example.pl").unwrap_err().contains("credentials")
        );
        let long = format!("https://example.pl/{}", "a".repeat(3000));
        assert!(check_subscription_url(&long).unwrap_err().contains("bytes long"));
    }

    #[test]
    fn create_bodies_are_validated() {
        let empty: [Action; 0] = [];
        let err = WebhookCreate::new("https://example.pl", empty).validate().unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "actions", .. }));
        let ok = WebhookCreate::new("https://example.pl", [Action::CustomerCreated]);
        assert!(ok.validate().is_ok());
        for bad in [" CUSTOMER_CREATED", "A\nB", "A\u{0}"] {
            let err = WebhookCreate::new("https://example.pl", [bad]).validate().unwrap_err();
            assert!(matches!(err, Error::InvalidInput { field: "actions", .. }), "{bad:?}");
        }
        let newline_url = WebhookCreate::new("https://example.pl/\nX", [Action::CustomerCreated]);
        assert!(newline_url.validate().is_err());
        let no_user = ok.clone().with_basic_auth("", "secret");
        assert!(matches!(
            no_user.validate(),
            Err(Error::InvalidInput { field: "http_auth_user", .. })
        ));
    }

    #[test]
    fn matching_ignores_order_and_trailing_slash() {
        let existing = Webhook {
            id: 1.into(),
            actions: vec![Action::CustomerCreated, Action::CustomerUpdated],
            subscription_url: "https://example.pl/".into(),
            http_auth_user: Some(String::new()),
            http_auth_password: Some(Secret::default()),
        };
        let wanted =
            WebhookCreate::new("https://example.pl", ["CUSTOMER_UPDATED", "CUSTOMER_CREATED"]);
        assert!(existing.matches(&wanted));
        let other = WebhookCreate::new("https://example.pl", ["CUSTOMER_UPDATED"]);
        assert!(!existing.matches(&other));
        let with_auth = wanted.clone().with_basic_auth("thulium", "x");
        assert!(
            !existing.matches(&with_auth),
            "asking for auth does not match a subscription without"
        );
    }
}
