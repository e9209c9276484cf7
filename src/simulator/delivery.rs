//! The simulator delivers notifications: triggering an event POSTs it, form-encoded like
//! production, to every subscription whose actions include it, with the subscription's
//! Basic auth, and records the outcome.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use crate::{Action, Webhook, basic_auth, notification::Fields};

/// How long the simulator waits for a subscription URL to answer, unless configured.
pub const DEFAULT_DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// One notification the simulator sent (or tried to) to one subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Sequence number of the delivery in this simulator, from 1.
    pub id: u64,
    /// The subscription it went to.
    pub webhook_id: i64,
    /// The action.
    pub action: String,
    /// Where it went.
    pub subscription_url: String,
    /// The form-encoded body that was sent.
    pub body: String,
    /// The status the subscription URL answered, if it answered.
    pub status: Option<u16>,
    /// Why nothing (or no complete answer) came back: a timeout or a connection error.
    pub error: Option<String>,
}

impl Delivery {
    /// `true` when the subscription URL answered 2xx.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The fields of a triggered event: the spec's example for a known action (or just the
/// action for another), with `overrides` applied; `action` always names the action.
pub(crate) fn event_fields(action: &Action, overrides: Fields) -> Fields {
    let mut fields = crate::Notification::example_fields(action).unwrap_or_default();
    for (name, value) in overrides.iter() {
        fields.set(name, value);
    }
    fields.set("action", action.as_str());
    fields
}

/// Why a delivery to a non-loopback URL was not attempted.
pub(crate) const NOT_LOOPBACK: &str = "not sent: the simulator delivers only to 127.0.0.0/8, [::1] and localhost \
     unless external delivery is allowed";

/// Sends `body` to every subscription in `targets` at once; outcomes in target order.
/// Subscriptions outside the loopback range are skipped unless `external` is set, so a
/// demo or a test never sends traffic off the machine by accident.
pub(crate) async fn deliver_all(
    http: &reqwest::Client,
    targets: Vec<Webhook>,
    action: &Action,
    body: String,
    first_id: u64,
    external: bool,
) -> Vec<Delivery> {
    let mut tasks = JoinSet::new();
    for (index, webhook) in targets.into_iter().enumerate() {
        let http = http.clone();
        let body = body.clone();
        let action = action.as_str().to_owned();
        tasks.spawn(async move {
            let (status, error) =
                if external || crate::config::is_loopback_url(&webhook.subscription_url) {
                    post(&http, &webhook, body.clone()).await
                } else {
                    (None, Some(NOT_LOOPBACK.to_owned()))
                };
            let delivery = Delivery {
                id: first_id + index as u64,
                webhook_id: webhook.id.get(),
                action,
                subscription_url: webhook.subscription_url.clone(),
                body,
                status,
                error,
            };
            (index, delivery)
        });
    }
    let mut outcomes: Vec<(usize, Delivery)> = tasks.join_all().await;
    outcomes.sort_by_key(|(index, _)| *index);
    outcomes.into_iter().map(|(_, delivery)| delivery).collect()
}

async fn post(
    http: &reqwest::Client,
    webhook: &Webhook,
    body: String,
) -> (Option<u16>, Option<String>) {
    let mut request = http
        .post(&webhook.subscription_url)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body);
    if let Some(user) = webhook.auth_user() {
        let password = webhook.http_auth_password.as_ref().map_or("", |p| p.expose());
        let mut value =
            reqwest::header::HeaderValue::try_from(basic_auth::header_value(user, password))
                .expect("base64 is a valid header value");
        value.set_sensitive(true);
        request = request.header(reqwest::header::AUTHORIZATION, value);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            // Read the answer so that a stalled body counts as a timeout too.
            match response.bytes().await {
                Ok(_) => (Some(status), None),
                Err(e) => (Some(status), Some(short(&e))),
            }
        }
        Err(e) => (None, Some(short(&e))),
    }
}

/// A delivery's transport error: "timed out" alone, or the kind and its causes.
fn short(error: &reqwest::Error) -> String {
    if error.is_timeout() { "timed out".to_owned() } else { crate::error::transport_message(error) }
}
