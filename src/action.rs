//! Webhook actions: the names of the events a subscription is notified of.
//!
//! The spec lists the actions that are public, but Thulium has more and adds new ones.
//! progenitor would generate a closed enum, so one unknown name in a list response would
//! fail the whole call. This hand-written [`Action`] replaces the generated one
//! (`with_replacement` in `build.rs`): a name it does not know is kept as
//! [`Action::Unknown`] and sent back unchanged.

use std::{borrow::Cow, convert::Infallible, fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! actions {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $about:literal; )*) => {
        /// The name of an event a subscription is notified of.
        ///
        /// Known names get a variant; any other name is kept in [`Action::Unknown`]
        /// exactly as it arrived, so it survives a round trip through the SDK.
        /// Equality, ordering and hashing go by the name, so
        /// `Action::Unknown("CUSTOMER_CREATED".into()) == Action::CustomerCreated`.
        #[derive(Clone)]
        pub enum Action {
            $( $(#[$doc])* $variant, )*
            /// An action this version of the SDK does not know, kept verbatim.
            Unknown(String),
        }

        impl Action {
            /// Every action this version knows, in the order of the spec.
            pub const KNOWN: &'static [Action] = &[$(Action::$variant),*];

            /// The wire name, e.g. `CHAT_CONVERSATION_CREATED`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Action::$variant => $name,)*
                    Action::Unknown(name) => name,
                }
            }

            /// One line on what the action means; `None` for an unknown action.
            pub fn description(&self) -> Option<&'static str> {
                match self {
                    $(Action::$variant => Some($about),)*
                    Action::Unknown(_) => None,
                }
            }

            /// Reads a wire name; never fails (an unknown name becomes [`Action::Unknown`]).
            pub fn from_name(name: &str) -> Action {
                match name {
                    $($name => Action::$variant,)*
                    other => Action::Unknown(other.to_owned()),
                }
            }
        }
    };
}

actions! {
    /// An agent was assigned to a chat conversation.
    ChatAgentAssigned = "CHAT_AGENT_ASSIGNED", "an agent was assigned to a chat conversation";
    /// A chat conversation was closed.
    ChatConversationClosed = "CHAT_CONVERSATION_CLOSED", "a chat conversation was closed";
    /// A chat conversation was started.
    ChatConversationCreated = "CHAT_CONVERSATION_CREATED", "a chat conversation was started";
    /// A customer was created in the CRM.
    CustomerCreated = "CUSTOMER_CREATED", "a customer was created in the CRM";
    /// A customer was changed in the CRM.
    CustomerUpdated = "CUSTOMER_UPDATED", "a customer was changed in the CRM";
    /// A call is ringing at an agent.
    AgentRinging = "AGENT_RINGING", "a call is ringing at an agent";
    /// The recording of a call is available.
    RecordingReady = "RECORDING_READY", "the recording of a call is available";
    /// A ticket was created.
    TicketCreated = "TICKET_CREATED", "a ticket was created";
    /// A message was added to a ticket.
    TicketMessageReceived = "TICKET_MESSAGE_RECEIVED", "a message was added to a ticket";
}

impl Action {
    /// `true` unless this is [`Action::Unknown`].
    pub fn is_known(&self) -> bool {
        !matches!(self, Action::Unknown(_))
    }
}

impl PartialEq for Action {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Action {}

impl std::hash::Hash for Action {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Action {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Action {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Unknown(name) => write!(f, "Unknown({name:?})"),
            known => f.write_str(known.as_str()),
        }
    }
}

impl FromStr for Action {
    type Err = Infallible;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Ok(Action::from_name(name))
    }
}

impl From<&str> for Action {
    fn from(name: &str) -> Self {
        Action::from_name(name)
    }
}

impl From<String> for Action {
    fn from(name: String) -> Self {
        match Action::from_name(&name) {
            Action::Unknown(_) => Action::Unknown(name),
            known => known,
        }
    }
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Action::from_name(&name))
    }
}

impl schemars::JsonSchema for Action {
    fn schema_name() -> Cow<'static, str> {
        "Action".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let known: Vec<&str> = Action::KNOWN.iter().map(Action::as_str).collect();
        schemars::json_schema!({
            "type": "string",
            "description": "The name of an event. The set is open: names other than the examples are valid.",
            "examples": known,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_round_trip() {
        for action in Action::KNOWN {
            let json = serde_json::to_string(action).unwrap();
            assert_eq!(serde_json::from_str::<Action>(&json).unwrap(), *action);
            assert!(action.is_known());
            assert!(action.description().is_some());
        }
    }

    #[test]
    fn unknown_name_is_kept_verbatim() {
        let action: Action = serde_json::from_str(r#""CALL_ENDED""#).unwrap();
        assert_eq!(action, Action::Unknown("CALL_ENDED".into()));
        assert_eq!(serde_json::to_string(&action).unwrap(), r#""CALL_ENDED""#);
        assert!(!action.is_known());
    }

    #[test]
    fn equality_goes_by_name() {
        assert_eq!(Action::Unknown("CUSTOMER_CREATED".into()), Action::CustomerCreated);
        let set: std::collections::HashSet<Action> =
            [Action::Unknown("CUSTOMER_CREATED".into()), Action::CustomerCreated]
                .into_iter()
                .collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn escaped_json_strings_are_decoded() {
        let action: Action = serde_json::from_str(r#""CHAT\u005fAGENT_ASSIGNED""#).unwrap();
        assert_eq!(action, Action::ChatAgentAssigned);
    }
}
