//! Properties over many generated inputs: parsing never panics, and whatever the form
//! encoding writes it reads back unchanged.

use proptest::prelude::*;
use thulium_webhooks::{Notification, notification::Fields};

const CASES: u32 = 10_000;

/// 10,000 cases; failures are reported, not written to a regressions file.
fn config() -> ProptestConfig {
    ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() }
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("application/x-www-form-urlencoded".to_owned())),
        Just(Some("application/json".to_owned())),
        any::<String>().prop_map(Some),
    ]
}

/// Field names and values drawn from what trips parsers: the known names, `null`, digits,
/// separators and arbitrary text.
fn field_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("action".to_owned()),
        Just("customer_id".to_owned()),
        Just("company_id".to_owned()),
        Just("date".to_owned()),
        Just("CUSTOMER_UPDATED".to_owned()),
        Just("AGENT_RINGING".to_owned()),
        Just("null".to_owned()),
        Just(String::new()),
        "[0-9]{1,25}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}",
        "[&=+% a-z]{0,8}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parsing_arbitrary_bytes_never_panics(content_type in content_type(), body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = Notification::parse(content_type.as_deref(), &body);
    }

    #[test]
    fn parsing_arbitrary_field_maps_never_panics(pairs in proptest::collection::vec((field_text(), field_text()), 0..8)) {
        let _ = Notification::from_fields(Fields::new(pairs.clone()));
        let object: serde_json::Map<String, serde_json::Value> = pairs.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
        let _ = Notification::parse(Some("application/json"), serde_json::to_vec(&object).unwrap().as_slice());
    }

    #[test]
    fn the_form_encoding_round_trips(action in "[A-Z_]{1,20}", pairs in proptest::collection::vec(("[a-z_]{1,10}", field_text()), 0..6)) {
        let mut fields = Fields::new([("action", action)]);
        for (name, value) in pairs {
            if name != "action" {
                fields.set(name, value);
            }
        }
        // Known actions may refuse random fields (a non-numeric id); any other action
        // must parse, and give back exactly what was encoded.
        let parsed = Notification::parse(Some("application/x-www-form-urlencoded"), fields.to_form().as_bytes());
        match parsed {
            Ok(parsed) => prop_assert_eq!(parsed.fields(), &fields),
            Err(error) => prop_assert!(thulium_webhooks::Action::from_name(fields.get("action").unwrap()).is_known(), "{}", error),
        }
    }
}

fn url_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(https?|ftp|HTTP)://[a-z0-9.:@/?#%\\[\\]-]{0,40}",
        "https?://[a-z]{1,8}:[a-zA-Z0-9/?#]{1,10}@[a-z0-9.]{1,12}(:[0-9]{1,5})?(/[a-z]{0,5}){0,4}/?",
        "[a-zA-Z0-9 ./:-]{0,30}",
    ]
}

proptest! {
    #![proptest_config(config())]

    /// Base URLs: never a panic; what is accepted is normalised; a rejected URL with
    /// credentials never shows them.
    #[test]
    fn base_url_validation(input in url_like()) {
        match thulium_webhooks::config::BaseUrl::parse(&input) {
            Ok(url) => {
                let url = url.as_str();
                prop_assert!(url.starts_with("http://") || url.starts_with("https://"), "{}", url);
                prop_assert!(url.ends_with("/api"), "{}", url);
                prop_assert!(!url["https://".len()..].contains("//"), "{}", url);
                prop_assert!(!url.contains('@'), "{}", url);
            }
            Err(error) => {
                if let Some(at) = input.find('@') {
                    let secret = &input[..at];
                    let shown = error.to_string();
                    prop_assert!(secret.len() < 8 || !shown.contains(secret), "{}", shown);
                }
            }
        }
    }

    /// System names, credentials and subscription URLs: checked without panicking.
    #[test]
    fn config_and_input_validation(system in any::<String>(), user in any::<String>(), password in "[A-Z0-9]{4,12}", url in url_like()) {
        if let Ok(base) = thulium_webhooks::config::BaseUrl::for_system(&system) {
            prop_assert!(base.as_str().ends_with(".thulium.com/api"));
        }
        if let Ok(credentials) = thulium_webhooks::config::Credentials::new(user.clone(), password.clone()) {
            prop_assert!(!credentials.user().contains(':'));
            let debug = format!("{credentials:?}");
            prop_assert!(!debug.contains(&password) || user.contains(&password), "{}", debug);
        }
        let checked = thulium_webhooks::subscription::check_subscription_url(&url);
        if checked.is_ok() {
            let lower = url.to_ascii_lowercase();
            prop_assert!(lower.starts_with("http://") || lower.starts_with("https://"), "{}", url);
        }
    }
}
