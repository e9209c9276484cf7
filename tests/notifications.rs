//! Parsing notifications: every known action from its documented example in both
//! encodings, the production form example, unknown actions and fields, Thulium's
//! inconsistencies, and errors that name the field.

use serde_json::json;
use thulium_webhooks::{
    Action, Event, Notification,
    notification::{Fields, Id},
};

const PRODUCTION: &[u8] =
    b"action=CUSTOMER_UPDATED&customer_id=682&company_id=null&date=2026-09-04+12%3A19%3A43";
const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
const JSON: Option<&str> = Some("application/json");

/// Every known action, parsed from the spec's example sent both ways, gives the same
/// typed event, with no field outside the documented ones.
#[test]
fn documented_examples_in_both_encodings() {
    let mut parsed = Vec::new();
    for action in Action::KNOWN {
        let fields =
            Notification::example_fields(action).expect("every known action has an example");
        let form = Notification::parse(FORM, fields.to_form().as_bytes()).unwrap();
        let object: serde_json::Map<String, serde_json::Value> =
            fields.iter().map(|(k, v)| (k.to_owned(), json!(v))).collect();
        let from_json =
            Notification::parse(JSON, serde_json::to_vec(&object).unwrap().as_slice()).unwrap();
        assert_eq!(form.event(), from_json.event(), "{action}");
        assert_eq!(form.action(), action);
        assert!(!matches!(form.event(), Event::Unknown(_)), "{action} is typed");
        assert!(form.extra_fields().is_empty(), "{action}: {:?}", form.extra_fields());
        parsed.push(format!("{form}"));
    }
    insta::assert_snapshot!(parsed.join("\n"));
}

#[test]
fn production_form_example() {
    let notification = Notification::parse(FORM, PRODUCTION).unwrap();
    let Event::CustomerUpdated(event) = notification.event() else { panic!("{notification:?}") };
    assert_eq!(event.customer_id, Id(682));
    assert_eq!(event.company_id, None, "company_id=null means absent");
    let date = event.date.as_ref().unwrap();
    assert_eq!(
        (date.year(), date.month(), date.day(), date.hour(), date.minute(), date.second()),
        (2026, 9, 4, 12, 19, 43)
    );
    assert_eq!(date.as_str(), "2026-09-04 12:19:43");
    assert_eq!(
        notification.fields().raw("company_id"),
        Some("null"),
        "the raw value is still there"
    );
    assert_eq!(
        notification.to_string(),
        r#"CUSTOMER_UPDATED customer_id=682 company_id=(absent) date="2026-09-04 12:19:43""#
    );
    insta::assert_debug_snapshot!(notification);
}

#[test]
fn unknown_actions_and_extra_fields_are_kept() {
    let unknown = Notification::parse(
        FORM,
        b"action=CALL_ENDED&connection_id=1416225570.340&duration=35&billsec=30&source_name=",
    )
    .unwrap();
    assert_eq!(unknown.action(), &Action::Unknown("CALL_ENDED".into()));
    assert!(matches!(unknown.event(), Event::Unknown(e) if e.action == "CALL_ENDED"));
    assert_eq!(
        unknown.fields().get("connection_id"),
        Some("1416225570.340"),
        "the trailing zero stays"
    );
    assert_eq!(unknown.fields().get("source_name"), None);
    assert_eq!(unknown.fields().raw("source_name"), Some(""));
    assert_eq!(unknown.extra_fields().len(), 4);
    assert_eq!(
        unknown.to_string(),
        r#"CALL_ENDED (unknown action) +connection_id=1416225570.340 +duration=35 +billsec=30 +source_name="""#
    );

    let extra = Notification::parse(JSON, br#"{"action":"TICKET_MESSAGE_RECEIVED","ticket_id":7,"message_id":"m-1","meta":{"a":[1,2]}}"#).unwrap();
    assert_eq!(extra.extra_fields(), vec![("message_id", "m-1"), ("meta", r#"{"a":[1,2]}"#)]);
}

#[test]
fn thulium_inconsistencies_are_accepted() {
    // Ids as numbers or numeric strings; every form of "absent"; connection ids and
    // conversation ids stay strings even when they look like numbers.
    let variants: [&[u8]; 5] = [
        br#"{"action":"CUSTOMER_CREATED","customer_id":154,"company_id":null}"#,
        br#"{"action":"CUSTOMER_CREATED","customer_id":"154","company_id":"null"}"#,
        br#"{"action":"CUSTOMER_CREATED","customer_id":"154","company_id":""}"#,
        br#"{"action":"CUSTOMER_CREATED","customer_id":"154"}"#,
        b"action=CUSTOMER_CREATED&customer_id=154&company_id=",
    ];
    for body in variants {
        let parsed = Notification::parse(None, body).unwrap();
        let Event::CustomerCreated(event) = parsed.event() else { panic!() };
        assert_eq!(
            (event.customer_id, event.company_id),
            (Id(154), None),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    let ringing = Notification::parse(
        JSON,
        br#"{"action":"AGENT_RINGING","connection_id":1416225570.340,"queue_id":"12"}"#,
    )
    .unwrap();
    let Event::AgentRinging(event) = ringing.event() else { panic!() };
    assert_eq!(event.connection_id, "1416225570.340");
    assert_eq!(event.queue_id, Some(Id(12)));
}

#[test]
fn content_type_choice_and_fallback() {
    let json = br#"{"action":"CUSTOMER_CREATED","customer_id":"1"}"#;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/json; charset=utf-8"),
        Some("application/vnd.thulium+json"),
    ] {
        assert!(Notification::parse(content_type, json).is_ok(), "{content_type:?}");
    }
    for content_type in [
        None,
        Some("application/x-www-form-urlencoded; charset=UTF-8"),
        Some("application/octet-stream"),
    ] {
        assert!(Notification::parse(content_type, PRODUCTION).is_ok(), "{content_type:?}");
    }
}

#[test]
fn errors_name_the_field() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"action=CUSTOMER_UPDATED&customer_id=abc",
            "field customer_id: expected a whole number, got \"abc\"",
        ),
        (b"action=CUSTOMER_UPDATED&company_id=5", "field customer_id: missing field `customer_id`"),
        (
            b"action=CUSTOMER_UPDATED&customer_id=1&date=yesterday",
            "field date: expected a date like \"2016-04-20 09:46:24\", got \"yesterday\"",
        ),
        (b"customer_id=1", "field action: is missing; every notification names its action"),
        (
            b"action=null&customer_id=1",
            "field action: is missing; every notification names its action",
        ),
        (b"", "the body is empty"),
        (b"action=X&name=%FF", "field name: is not valid UTF-8"),
    ];
    for (body, expected) in cases {
        let error = Notification::parse(FORM, body).unwrap_err();
        assert_eq!(error.to_string(), *expected, "{}", String::from_utf8_lossy(body));
    }
    let not_object = Notification::parse(JSON, b"[1,2]").unwrap_err();
    assert!(
        not_object.to_string().starts_with("the JSON body is not an object of fields"),
        "{not_object}"
    );
}

#[test]
fn fields_round_trip_through_the_form_encoding() {
    let fields = Fields::new([("action", "X"), ("name", "Zażółć gęślą & co=1+2"), ("empty", "")]);
    let parsed = Notification::parse(FORM, fields.to_form().as_bytes()).unwrap();
    assert_eq!(parsed.fields(), &fields);
}

#[test]
fn many_fields_stay_linear_and_duplicates_take_the_last_value() {
    // 20,000 distinct fields in a body: parsed at once (the check used to be quadratic).
    let mut body = String::from("action=CUSTOMER_CREATED&customer_id=1");
    for i in 0..20_000 {
        body.push_str(&format!("&f{i}=v"));
    }
    body.push_str("&customer_id=null&customer_id=7");
    let parsed = Notification::parse(FORM, body.as_bytes()).unwrap();
    let Event::CustomerCreated(event) = parsed.event() else { panic!() };
    assert_eq!(event.customer_id, Id(7), "the last value wins");
    assert_eq!(parsed.fields().len(), 20_004);
    let small =
        Notification::parse(FORM, b"action=CUSTOMER_CREATED&customer_id=1&customer_id=null")
            .unwrap_err();
    assert_eq!(small.field_name(), Some("customer_id"), "a last value of null means absent");
}

#[test]
fn control_characters_in_names_are_escaped_when_shown() {
    let parsed = Notification::parse(FORM, b"action=FAKE%0AFORGED%1b[2J&x%0Ay=1").unwrap();
    let shown = parsed.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    let error = Notification::parse(FORM, b"action=CUSTOMER_CREATED&customer_id=%0A").unwrap_err();
    assert!(!error.to_string().chars().any(char::is_control), "{error}");
}
