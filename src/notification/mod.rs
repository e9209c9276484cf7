//! Notifications: what Thulium POSTs to a subscription's URL, parsed into typed events
//! without losing anything.
//!
//! A notification is a flat set of fields; `action` names the event. [`Notification`]
//! keeps every field exactly as it arrived ([`Notification::fields`]) and decodes the
//! known actions into the types generated from the spec ([`Event`]). An action this
//! version does not know is [`Event::Unknown`], never an error.
//!
//! Lenient exactly where Thulium is inconsistent:
//! - form-encoded (production) and JSON bodies give the same result;
//! - `""`, `"null"`, `null` and a missing key all mean "absent";
//! - ids are accepted as numbers or numeric strings ([`Id`]); `conversation_id` and
//!   `connection_id` stay strings (`1416225570.341` is not a number);
//! - dates are local date-times without a zone, with their text kept ([`LocalDateTime`]).
//!
//! What cannot be accepted (a non-numeric `customer_id`, a malformed body) is a
//! [`NotificationError`] naming the field. Parsing never panics.

mod value;

use std::fmt;

use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, value::RawValue};

pub use value::{Id, LocalDateTime};

use crate::{Action, types};

mod examples {
    include!(concat!(env!("OUT_DIR"), "/notification_examples.rs"));
}

/// Every field of a notification as it arrived, in order, as text: form values decoded,
/// JSON strings unescaped, other JSON values (numbers, `null`, objects) as their JSON
/// text, so `1416225570.340` keeps its last zero.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// Fields from (name, text) pairs.
    pub fn new<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        Fields(pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }

    /// The value of `name` as it arrived (the last one, if the field came twice), even
    /// when it means "absent".
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value of `name`, or `None` when it is missing, `""` or `null`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.raw(name).filter(|v| !is_absent(v))
    }

    /// Every (name, text) pair, in arrival order, duplicates included.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many pairs arrived.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` when nothing arrived.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `name` to `value`, replacing earlier values.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.0.retain(|(k, _)| *k != name);
        self.0.push((name, value.into()));
    }

    /// The fields form-encoded, as Thulium sends them in production.
    pub fn to_form(&self) -> String {
        let mut out = String::new();
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(&form_encode(name));
            out.push('=');
            out.push_str(&form_encode(value));
        }
        out
    }
}

impl IntoIterator for Fields {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// `""`, `null` and `"null"` mean "absent" in Thulium's notifications.
fn is_absent(text: &str) -> bool {
    text.is_empty() || text == "null"
}

fn form_encode(text: &str) -> String {
    // application/x-www-form-urlencoded: unreserved characters stay, space becomes '+'.
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'*')
        .remove(b' ');
    percent_encoding::utf8_percent_encode(text, SET).to_string().replace(' ', "+")
}

macro_rules! events {
    ($( $variant:ident($ty:ident) = $name:literal; )*) => {
        /// A notification decoded by its `action`: one variant per known action, with the
        /// fields the spec documents for it, or [`Event::Unknown`].
        #[derive(Clone, Debug, PartialEq, Serialize)]
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum Event {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant(types::$ty),
            )*
            /// An action this version does not know; its fields are in
            /// [`Notification::fields`].
            Unknown(UnknownEvent),
        }

        impl Event {
            fn decode(action: &str, fields: &Fields) -> Result<Event, NotificationError> {
                Ok(match action {
                    $($name => Event::$variant(decode(fields)?),)*
                    other => Event::Unknown(UnknownEvent { action: other.to_owned() }),
                })
            }
        }
    };
}

events! {
    ChatAgentAssigned(ChatAgentAssignedNotification) = "CHAT_AGENT_ASSIGNED";
    ChatConversationClosed(ChatConversationClosedNotification) = "CHAT_CONVERSATION_CLOSED";
    ChatConversationCreated(ChatConversationCreatedNotification) = "CHAT_CONVERSATION_CREATED";
    CustomerCreated(CustomerCreatedNotification) = "CUSTOMER_CREATED";
    CustomerUpdated(CustomerUpdatedNotification) = "CUSTOMER_UPDATED";
    AgentRinging(AgentRingingNotification) = "AGENT_RINGING";
    RecordingReady(RecordingReadyNotification) = "RECORDING_READY";
    TicketCreated(TicketCreatedNotification) = "TICKET_CREATED";
    TicketMessageReceived(TicketMessageReceivedNotification) = "TICKET_MESSAGE_RECEIVED";
}

/// The action of a notification this version does not know.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnknownEvent {
    /// The action name as it arrived.
    pub action: String,
}

/// Decodes the typed fields of a known action from the present (non-absent) fields,
/// straight from the borrowed text (no intermediate JSON value): the last value of a
/// field wins, and a last value that means "absent" leaves the field out.
fn decode<T: DeserializeOwned>(fields: &Fields) -> Result<T, NotificationError> {
    let pairs = &fields.0;
    // Each field's last value, when it is not "absent". A notification has a handful of
    // fields, checked in place without allocating; a body with many (hostile, or
    // unusual) gets an index, so the work stays linear.
    const SCAN_LIMIT: usize = 32;
    let last: Option<std::collections::HashMap<&str, usize>> = (pairs.len() > SCAN_LIMIT)
        .then(|| pairs.iter().enumerate().map(|(i, (name, _))| (name.as_str(), i)).collect());
    let is_last = |i: usize, name: &str| match &last {
        Some(index) => index.get(name) == Some(&i),
        None => !pairs[i + 1..].iter().any(|(later, _)| later == name),
    };
    let present = || {
        pairs.iter().enumerate().filter_map(move |(i, (name, value))| {
            (is_last(i, name) && !is_absent(value)).then_some((name.as_str(), Text(value)))
        })
    };
    let map = || serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(present());
    match T::deserialize(map()) {
        Ok(value) => Ok(value),
        // Only a failure pays for finding the path of the field at fault.
        Err(_) => match serde_path_to_error::deserialize::<_, T>(map()) {
            Ok(value) => Ok(value),
            Err(e) => {
                let field = e.path().to_string();
                let message = e.into_inner().to_string();
                // serde says "missing field `x`"; name the field either way.
                let field = if field == "." {
                    message.split('`').nth(1).unwrap_or("?").to_owned()
                } else {
                    field
                };
                Err(NotificationError::field(field, message))
            }
        },
    }
}

/// A field's text as a serde value: a string, which also reads as `Some(string)` and as
/// a unit enum variant (the generated `action` enums).
#[derive(Clone, Copy)]
struct Text<'a>(&'a str);

impl<'de> serde::de::IntoDeserializer<'de, serde::de::value::Error> for Text<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> serde::Deserializer<'de> for Text<'de> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_enum(serde::de::value::BorrowedStrDeserializer::new(self.0))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// A parsed notification: its action, the typed event, and every field as it arrived.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Notification {
    action: Action,
    event: Event,
    fields: Fields,
}

impl Notification {
    /// Parses a body by its `Content-Type`: form-encoded, JSON (`application/json` or
    /// `+json`), or, when the header is missing or something else, JSON if the body
    /// starts with `{` and form otherwise.
    pub fn parse(
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Notification, NotificationError> {
        let media_type = content_type
            .and_then(|t| t.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let json = match media_type.as_str() {
            "application/x-www-form-urlencoded" => false,
            t if t == "application/json" || t.ends_with("+json") => true,
            _ => body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'),
        };
        if json { Self::from_json(body) } else { Self::from_form(body) }
    }

    /// Parses an `application/x-www-form-urlencoded` body (`a=1&b=x+y`).
    pub fn from_form(body: &[u8]) -> Result<Notification, NotificationError> {
        let text = std::str::from_utf8(body)
            .map_err(|_| NotificationError::body("the form body is not valid UTF-8"))?;
        let mut fields = Vec::new();
        for pair in text.trim_end_matches(['\r', '\n']).split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = form_decode(name)
                .map_err(|_| NotificationError::body("a field name is not valid UTF-8"))?;
            let value = form_decode(value)
                .map_err(|_| NotificationError::field(name.clone(), "is not valid UTF-8"))?;
            fields.push((name, value));
        }
        Self::from_fields(Fields(fields))
    }

    /// Parses a JSON object body. Values that are not strings are kept as their JSON text.
    pub fn from_json(body: &[u8]) -> Result<Notification, NotificationError> {
        // RawValue keeps the exact text of numbers (no float rounding) and of anything
        // nested, so nothing that arrived is changed.
        let object: Vec<(String, &RawValue)> = serde_json::from_slice::<RawObject<'_>>(body)
            .map_err(|e| {
                NotificationError::body(format!("the JSON body is not an object of fields: {e}"))
            })?
            .0;
        let mut fields = Vec::with_capacity(object.len());
        for (name, raw) in object {
            let raw = raw.get();
            let text = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
                // A string without escapes is its own text; with escapes, unescape it.
                Some(inner) if !inner.contains('\\') => inner.to_owned(),
                Some(_) => serde_json::from_str::<String>(raw).map_err(|e| {
                    NotificationError::body(format!(
                        "the JSON body is not an object of fields: {e}"
                    ))
                })?,
                None => raw.to_owned(),
            };
            fields.push((name, text));
        }
        Self::from_fields(Fields(fields))
    }

    /// Builds a notification from fields that are already split (another web framework's
    /// form extractor, a test).
    pub fn from_fields(fields: Fields) -> Result<Notification, NotificationError> {
        if fields.is_empty() {
            return Err(NotificationError::body("the body is empty"));
        }
        let Some(name) = fields.get("action") else {
            return Err(NotificationError::field(
                "action",
                "is missing; every notification names its action",
            ));
        };
        let action = Action::from_name(name);
        let event = Event::decode(name, &fields)?;
        Ok(Notification { action, event, fields })
    }

    /// The documented example of a known action, from the spec (`None` for an unknown
    /// action). The simulator sends these; tests can too.
    pub fn example_fields(action: &Action) -> Option<Fields> {
        examples::NOTIFICATION_EXAMPLES
            .iter()
            .find(|(name, _)| *name == action.as_str())
            .map(|(_, fields)| Fields::new(fields.iter().copied()))
    }

    /// The action.
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// The typed event.
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// Every field as it arrived.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The fields the spec does not document for this action (all but `action` for an
    /// unknown action), present or absent, in arrival order.
    pub fn extra_fields(&self) -> Vec<(&str, &str)> {
        let documented: &[&str] = examples::NOTIFICATION_FIELDS
            .iter()
            .find(|(name, _)| *name == self.action.as_str())
            .map_or(&["action"], |(_, fields)| fields);
        self.fields.iter().filter(|(name, _)| !documented.contains(name)).collect()
    }
}

/// One line for people: the action, each documented field (typed, or `(absent)`), then
/// the fields the spec does not document, marked `+`.
///
/// `CUSTOMER_UPDATED customer_id=682 company_id=(absent) date="2026-09-04 12:19:43"`
impl fmt::Display for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&quote(self.action.as_str()))?;
        let documented =
            examples::NOTIFICATION_FIELDS.iter().find(|(name, _)| *name == self.action.as_str());
        match documented {
            Some((_, names)) => {
                let typed = serde_json::to_value(&self.event).unwrap_or_default();
                for name in names.iter().filter(|n| **n != "action") {
                    match typed.get(*name) {
                        Some(Value::String(text)) => write!(f, " {name}={}", quote(text))?,
                        Some(other) => write!(f, " {name}={other}")?,
                        None => write!(f, " {name}=(absent)")?,
                    }
                }
            }
            None => f.write_str(" (unknown action)")?,
        }
        for (name, value) in self.extra_fields() {
            write!(f, " +{}={}", quote(name), quote(value))?;
        }
        Ok(())
    }
}

/// Quotes a value that would not read as one word.
fn quote(text: &str) -> String {
    if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c == '"' || c.is_control()) {
        format!("{text:?}")
    } else {
        text.to_owned()
    }
}

/// A JSON object read as ordered (name, raw value) pairs.
struct RawObject<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawObject<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut pairs = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, &'de RawValue>()? {
                    pairs.push((name, value));
                }
                Ok(RawObject(pairs))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

fn form_decode(text: &str) -> Result<String, std::str::Utf8Error> {
    if !text.contains(['+', '%']) {
        return Ok(text.to_owned());
    }
    let plus_as_space = text.replace('+', " ");
    percent_encoding::percent_decode_str(&plus_as_space).decode_utf8().map(|s| s.into_owned())
}

/// Why a notification cannot be accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationError {
    field: Option<String>,
    message: String,
}

impl NotificationError {
    fn body(message: impl Into<String>) -> Self {
        NotificationError { field: None, message: message.into() }
    }

    fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        NotificationError { field: Some(field.into()), message: message.into() }
    }

    /// The field at fault, when one is.
    pub fn field_name(&self) -> Option<&str> {
        self.field.as_deref()
    }
}

impl fmt::Display for NotificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "field {}: {}", quote(field), self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for NotificationError {}
