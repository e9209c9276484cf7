//! An in-memory Thulium webhooks API on 127.0.0.1 that also delivers notifications, for
//! demos, tests and offline development (feature `simulator`).
//!
//! It answers `GET/POST /api/webhooks` exactly as `openapi.yaml` describes (the test
//! suite checks its answers against the spec's schemas): HTTP Basic auth is required,
//! bad input is answered with Thulium's error body naming the field, ids increase from
//! 1, and unset credentials are echoed as `""` like the real API. A password that was
//! set is echoed back in clear text, the worst case the real API may show.
//!
//! Triggering an event ([`Simulator::trigger`], `POST /api/_simulator/trigger`, or
//! `thulium-webhooks simulator trigger`) POSTs it form-encoded, like production, to every
//! subscription whose actions include it, with the subscription's Basic auth, and records
//! each [`Delivery`]. The fields default to the spec's example of the action; any field
//! can be overridden. Deliveries go straight to the subscription URL (proxy variables
//! are ignored), only to loopback addresses unless
//! [`SimulatorBuilder::external_delivery`] allows others, and wait at most
//! [`DEFAULT_DELIVERY_TIMEOUT`] unless configured.
//!
//! The `/api/_simulator/…` control endpoints are the simulator's own, not Thulium's, and
//! are not in `openapi.yaml`. They take the same Basic auth as the API.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use thulium_webhooks::{WebhookCreate, simulator::Simulator};
//!
//! let simulator = Simulator::start().await?;
//! let client = simulator.client()?;
//! client.create_webhook(&WebhookCreate::new("https://example.pl", ["CHAT_CONVERSATION_CREATED"])).await?;
//! assert_eq!(simulator.webhooks().len(), 1);
//! # Ok(()) }
//! ```

use std::{
    net::{Ipv4Addr, SocketAddr},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    Json, Router,
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::Value;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use crate::{
    Action, ApiError, ApiErrorItem, Client, Error, Secret, Webhook, basic_auth,
    notification::Fields, subscription::check_subscription_url,
};

mod delivery;

pub use delivery::{DEFAULT_DELIVERY_TIMEOUT, Delivery};

/// The API user the simulator's own [`Simulator::client`] uses when no credentials were
/// configured (the name in Thulium's documentation samples).
pub const DEFAULT_API_USER: &str = "api_user";
/// The largest request body the simulator reads.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Which credentials the simulator accepts.
#[derive(Clone, Debug)]
enum Auth {
    /// Any HTTP Basic credentials with a non-empty user (`curl -u u:p` works).
    AnyUser,
    /// Exactly these.
    Exact { user: String, password: Secret },
}

/// Configures a [`Simulator`] before it starts.
#[derive(Clone, Debug)]
pub struct SimulatorBuilder {
    auth: Auth,
    addr: SocketAddr,
    delivery_timeout: Duration,
    external_delivery: bool,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            auth: Auth::AnyUser,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            delivery_timeout: DEFAULT_DELIVERY_TIMEOUT,
            external_delivery: false,
        }
    }
}

impl SimulatorBuilder {
    /// Accept only this API user and password (by default any Basic credentials with a
    /// non-empty user are accepted, and requests without them get 401).
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.auth = Auth::Exact { user: user.into(), password: password.into() };
        self
    }

    /// Listen on this port of 127.0.0.1 (default 0: a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.addr.set_port(port);
        self
    }

    /// How long a delivery waits for the subscription URL's answer
    /// ([`DEFAULT_DELIVERY_TIMEOUT`] unless set).
    pub fn delivery_timeout(mut self, timeout: Duration) -> Self {
        self.delivery_timeout = timeout;
        self
    }

    /// Also deliver to subscription URLs outside 127.0.0.0/8, `[::1]` and `localhost`
    /// (off by default: such deliveries are recorded as not sent).
    pub fn external_delivery(mut self, allow: bool) -> Self {
        self.external_delivery = allow;
        self
    }

    /// Binds the port and starts serving in the background of the current Tokio runtime.
    pub async fn start(self) -> std::io::Result<Simulator> {
        let http = reqwest::Client::builder()
            .timeout(self.delivery_timeout)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(crate::config::USER_AGENT)
            .build()
            .map_err(std::io::Error::other)?;
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(SimState::new(self.auth, http, self.external_delivery));
        let app = router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Simulator { addr, state, stop: Some(stop), task })
    }
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    addr: SocketAddr,
    state: Arc<SimState>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator").field("base_url", &self.base_url()).finish_non_exhaustive()
    }
}

impl Simulator {
    /// Configure a simulator.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// Starts a simulator on a free port of 127.0.0.1 that accepts any Basic credentials.
    pub async fn start() -> std::io::Result<Simulator> {
        SimulatorBuilder::default().start().await
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:41234/api`.
    pub fn base_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// A [`Client`] for this simulator, with its credentials (or [`DEFAULT_API_USER`]).
    pub fn client(&self) -> Result<Client, Error> {
        let (user, password) = match &self.state.auth {
            Auth::AnyUser => (DEFAULT_API_USER.to_owned(), Secret::new("api_pass")),
            Auth::Exact { user, password } => (user.clone(), password.clone()),
        };
        Client::builder().base_url(&self.base_url()).credentials(user, password).build()
    }

    /// The subscriptions it holds, in creation order.
    pub fn webhooks(&self) -> Vec<Webhook> {
        self.state.webhooks.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Delivers `action` to every subscription that includes it and returns the outcomes
    /// (none when no subscription includes it). The fields are the spec's example of the
    /// action with `overrides` applied.
    pub async fn trigger<K, V>(
        &self,
        action: impl Into<Action>,
        overrides: impl IntoIterator<Item = (K, V)>,
    ) -> Vec<Delivery>
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.state.trigger(&action.into(), Fields::new(overrides)).await
    }

    /// Every delivery so far, in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state.deliveries.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Stops serving and waits until the server task has ended.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct SimState {
    auth: Auth,
    webhooks: Mutex<Vec<Webhook>>,
    deliveries: Mutex<Vec<Delivery>>,
    next_id: AtomicU64,
    next_delivery: AtomicU64,
    requests: AtomicU64,
    started: u64,
    http: reqwest::Client,
    external_delivery: bool,
}

impl SimState {
    fn new(auth: Auth, http: reqwest::Client, external_delivery: bool) -> Self {
        let started = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        SimState {
            auth,
            webhooks: Mutex::default(),
            deliveries: Mutex::default(),
            next_id: AtomicU64::new(1),
            next_delivery: AtomicU64::new(1),
            requests: AtomicU64::new(0),
            started,
            http,
            external_delivery,
        }
    }

    async fn trigger(&self, action: &Action, overrides: Fields) -> Vec<Delivery> {
        let body = delivery::event_fields(action, overrides).to_form();
        let targets: Vec<Webhook> = self
            .webhooks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|w| w.actions.contains(action))
            .cloned()
            .collect();
        let first_id = self.next_delivery.fetch_add(targets.len() as u64, Ordering::Relaxed);
        let outcomes = delivery::deliver_all(
            &self.http,
            targets,
            action,
            body,
            first_id,
            self.external_delivery,
        )
        .await;
        self.deliveries.lock().unwrap_or_else(|p| p.into_inner()).extend(outcomes.iter().cloned());
        outcomes
    }

    /// A 13-hex-digit id shaped like Thulium's (`53678450401cf`).
    fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        format!("{:08x}{:05x}", self.started as u32, n & 0xf_ffff)
    }

    fn error(&self, status: StatusCode, messages: Vec<String>) -> Response {
        let body = ApiError {
            request_id: Some(self.request_id()),
            errors: messages
                .into_iter()
                .map(|message| ApiErrorItem { message, code: Some(status.as_u16().into()) })
                .collect(),
        };
        (status, Json(body)).into_response()
    }

    /// `None` when the request carries acceptable Basic credentials, else the 401.
    fn refuse_unauthenticated(&self, headers: &HeaderMap) -> Option<Response> {
        let given = headers.get(header::AUTHORIZATION).map(|v| v.as_bytes());
        let accepted = match &self.auth {
            Auth::AnyUser => {
                given.and_then(basic_auth::decode).is_some_and(|(user, _)| !user.is_empty())
            }
            Auth::Exact { user, password } => basic_auth::verify(given, user, password.expose()),
        };
        if accepted {
            return None;
        }
        let mut response = self.error(
            StatusCode::UNAUTHORIZED,
            vec!["Authentication failed: wrong API user or password.".into()],
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            "Basic realm=\"Thulium API\"".parse().expect("valid header"),
        );
        Some(response)
    }
}

fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/api/webhooks", get(list_webhooks).post(create_webhook))
        .route("/api/_simulator/trigger", axum::routing::post(trigger_event))
        .route("/api/_simulator/deliveries", get(list_deliveries))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .with_state(state)
}

async fn list_webhooks(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    if let Some(refusal) = state.refuse_unauthenticated(&headers) {
        return refusal;
    }
    Json(state.webhooks.lock().unwrap_or_else(|p| p.into_inner()).clone()).into_response()
}

/// The JSON body of an authenticated request, or the error answer (401, 413, 400).
/// Like Thulium, the body is read as JSON whatever the Content-Type says: `curl -d`
/// sends JSON labelled as a form.
async fn authenticated_json(state: &SimState, request: Request) -> Result<Value, Response> {
    if let Some(refusal) = state.refuse_unauthenticated(request.headers()) {
        return Err(refusal);
    }
    let body = read_body(state, request.into_body()).await?;
    serde_json::from_slice(&body).map_err(|e| {
        state.error(
            StatusCode::BAD_REQUEST,
            vec![format!("The request body is not valid JSON: {e}.")],
        )
    })
}

async fn create_webhook(State(state): State<Arc<SimState>>, request: Request) -> Response {
    let value = match authenticated_json(&state, request).await {
        Ok(value) => value,
        Err(refusal) => return refusal,
    };
    match parse_create(&value) {
        Ok((actions, subscription_url, user, password)) => {
            let id = state.next_id.fetch_add(1, Ordering::Relaxed) as i64;
            let webhook = Webhook {
                id: id.into(),
                actions,
                subscription_url,
                http_auth_user: Some(user),
                http_auth_password: Some(Secret::new(password)),
            };
            state.webhooks.lock().unwrap_or_else(|p| p.into_inner()).push(webhook.clone());
            Json(webhook).into_response()
        }
        Err(messages) => state.error(StatusCode::BAD_REQUEST, messages),
    }
}

/// The body, or the error answer: 413 over [`MAX_BODY_BYTES`], 400 for a body that
/// cannot be read (a broken chunked encoding).
async fn read_body(state: &SimState, body: Body) -> Result<axum::body::Bytes, Response> {
    to_bytes(body, MAX_BODY_BYTES).await.map_err(|error| {
        if crate::receiver::is_too_large(&error) {
            state.error(
                StatusCode::PAYLOAD_TOO_LARGE,
                vec![format!("The request body is larger than {MAX_BODY_BYTES} bytes.")],
            )
        } else {
            state.error(
                StatusCode::BAD_REQUEST,
                vec![format!("The request body cannot be read: {error}.")],
            )
        }
    })
}

type CreateFields = (Vec<Action>, String, String, String);

/// Checks a create body field by field and names every field that is wrong.
fn parse_create(value: &Value) -> Result<CreateFields, Vec<String>> {
    let Some(object) = value.as_object() else {
        return Err(vec!["The request body must be a JSON object.".into()]);
    };
    let mut errors = Vec::new();
    let actions = match object.get("actions") {
        None | Some(Value::Null) => {
            errors.push("The actions field is required.".to_owned());
            Vec::new()
        }
        Some(Value::Array(items)) if items.is_empty() => {
            errors.push("The actions field must contain at least one action.".to_owned());
            Vec::new()
        }
        Some(Value::Array(items)) => {
            let mut actions = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(name) if !name.trim().is_empty() => actions.push(Action::from_name(name)),
                    _ => errors.push(format!(
                        "The actions field: item {i} must be a non-empty action name."
                    )),
                }
            }
            actions
        }
        Some(_) => {
            errors.push("The actions field must be an array of action names.".to_owned());
            Vec::new()
        }
    };
    let subscription_url = match object.get("subscription_url") {
        None | Some(Value::Null) => {
            errors.push("The subscription_url field is required.".to_owned());
            String::new()
        }
        Some(Value::String(url)) => {
            if let Err(why) = check_subscription_url(url) {
                errors.push(format!("The subscription_url field {why}."));
            }
            url.clone()
        }
        Some(_) => {
            errors.push("The subscription_url field must be a string.".to_owned());
            String::new()
        }
    };
    let mut optional_string = |field: &str| match object.get(field) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            errors.push(format!("The {field} field must be a string."));
            String::new()
        }
    };
    let user = optional_string("http_auth_user");
    let password = optional_string("http_auth_password");
    if user.contains(':') {
        errors.push("The http_auth_user field must not contain ':'.".to_owned());
    }
    if errors.is_empty() { Ok((actions, subscription_url, user, password)) } else { Err(errors) }
}

/// Triggers `action` on a simulator running in another process (the one `client` points
/// at) through its control endpoint, like [`Simulator::trigger`].
pub async fn trigger_remote(
    client: &Client,
    action: &Action,
    overrides: &Fields,
) -> Result<Vec<Delivery>, Error> {
    let fields: serde_json::Map<String, Value> =
        overrides.iter().map(|(k, v)| (k.to_owned(), Value::String(v.to_owned()))).collect();
    let request = serde_json::json!({ "action": action.as_str(), "fields": fields });
    #[derive(serde::Deserialize)]
    struct Triggered {
        deliveries: Vec<Delivery>,
    }
    let triggered: Triggered = client
        .send_outside_spec(
            "simulatorTrigger",
            reqwest::Method::POST,
            "_simulator/trigger",
            Some(&request),
        )
        .await?;
    Ok(triggered.deliveries)
}

/// Every delivery of a simulator running in another process, like
/// [`Simulator::deliveries`].
pub async fn deliveries_remote(client: &Client) -> Result<Vec<Delivery>, Error> {
    client
        .send_outside_spec(
            "simulatorDeliveries",
            reqwest::Method::GET,
            "_simulator/deliveries",
            None,
        )
        .await
}

/// `POST /api/_simulator/trigger` with `{"action": "...", "fields": {"name": "value"}}`.
async fn trigger_event(State(state): State<Arc<SimState>>, request: Request) -> Response {
    let request = match authenticated_json(&state, request).await {
        Ok(value) => value,
        Err(refusal) => return refusal,
    };
    let action = match request.get("action").and_then(Value::as_str) {
        Some(action) if !action.trim().is_empty() => Action::from_name(action),
        _ => {
            return state
                .error(StatusCode::BAD_REQUEST, vec!["The action field is required.".into()]);
        }
    };
    let mut overrides = Vec::new();
    match request.get("fields") {
        None | Some(Value::Null) => {}
        Some(Value::Object(fields)) => {
            for (name, value) in fields {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Null => "null".to_owned(),
                    other => other.to_string(),
                };
                overrides.push((name.clone(), text));
            }
        }
        Some(_) => {
            return state.error(
                StatusCode::BAD_REQUEST,
                vec!["The fields field must be an object of field values.".into()],
            );
        }
    }
    let deliveries = state.trigger(&action, Fields::new(overrides)).await;
    Json(serde_json::json!({ "deliveries": deliveries })).into_response()
}

/// `GET /api/_simulator/deliveries`.
async fn list_deliveries(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    if let Some(refusal) = state.refuse_unauthenticated(&headers) {
        return refusal;
    }
    Json(state.deliveries.lock().unwrap_or_else(|p| p.into_inner()).clone()).into_response()
}

async fn not_found(State(state): State<Arc<SimState>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    state.error(StatusCode::NOT_FOUND, vec![format!("No such endpoint: {path}.")])
}

async fn method_not_allowed(State(state): State<Arc<SimState>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    state.error(
        StatusCode::METHOD_NOT_ALLOWED,
        vec![format!("Method {method} is not allowed on {path}.")],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_bodies_name_every_wrong_field() {
        let errors = parse_create(
            &serde_json::json!({"actions": [], "subscription_url": "/x", "http_auth_user": 5}),
        )
        .unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors[0].contains("actions")
                && errors[1].contains("subscription_url")
                && errors[2].contains("http_auth_user")
        );
    }
}
