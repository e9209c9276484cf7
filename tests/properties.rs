//! Properties over many generated inputs: parsing never panics, and whatever the form
//! encoding writes it reads back unchanged.

use proptest::prelude::*;
use thulium_webhooks::{Notification, notification::Fields};

const CASES: u32 = 10_000;

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
    #![proptest_config(ProptestConfig::with_cases(CASES))]

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
        if let Ok(parsed) = Notification::parse(Some("application/x-www-form-urlencoded"), fields.to_form().as_bytes()) {
            prop_assert_eq!(parsed.fields(), &fields);
        }
    }
}
