//! An in-memory Thulium webhooks API on 127.0.0.1, for demos, tests and offline
//! development (feature `simulator`).
//!
//! It answers `GET/POST /api/webhooks` exactly as `openapi.yaml` describes (the test
//! suite checks its answers against the spec's schemas): HTTP Basic auth is required,
//! bad input is answered with Thulium's error body naming the field, ids increase from
//! 1, and unset credentials are echoed as `""` like the real API. A password that was
//! set is echoed back in clear text, the worst case the real API may show.
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
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{
    Json, Router,
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use base64::Engine as _;
use serde_json::Value;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use crate::{
    Action, ApiError, ApiErrorItem, Client, Error, Secret, Webhook,
    subscription::check_subscription_url,
};

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
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            auth: Auth::AnyUser,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        }
    }
}

impl SimulatorBuilder {
    /// Accept only this API user and password (by default any Basic credentials with a
    /// non-empty user are accepted, and requests without them get 401).
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.auth = Auth::Exact {
            user: user.into(),
            password: password.into(),
        };
        self
    }

    /// Listen on this port of 127.0.0.1 (default 0: a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.addr.set_port(port);
        self
    }

    /// Binds the port and starts serving in the background of the current Tokio runtime.
    pub async fn start(self) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(SimState::new(self.auth));
        let app = router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Simulator {
            addr,
            state,
            stop: Some(stop),
            task,
        })
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
        f.debug_struct("Simulator")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
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
        Client::builder()
            .base_url(&self.base_url())
            .credentials(user, password)
            .build()
    }

    /// The subscriptions it holds, in creation order.
    pub fn webhooks(&self) -> Vec<Webhook> {
        self.state
            .webhooks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
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
    next_id: AtomicU64,
    requests: AtomicU64,
    started: u64,
}

impl SimState {
    fn new(auth: Auth) -> Self {
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        SimState {
            auth,
            webhooks: Mutex::default(),
            next_id: AtomicU64::new(1),
            requests: AtomicU64::new(0),
            started,
        }
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
                .map(|message| ApiErrorItem {
                    message,
                    code: Some(status.as_u16().into()),
                })
                .collect(),
        };
        (status, Json(body)).into_response()
    }

    /// `None` when the request carries acceptable Basic credentials, else the 401.
    fn refuse_unauthenticated(&self, headers: &HeaderMap) -> Option<Response> {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Basic ")
                    .or_else(|| v.strip_prefix("basic "))
            })
            .and_then(|token| {
                base64::engine::general_purpose::STANDARD
                    .decode(token.trim())
                    .ok()
            })
            .and_then(|bytes| String::from_utf8(bytes).ok());
        let accepted = match (&self.auth, given.as_deref().and_then(|g| g.split_once(':'))) {
            (_, None) => false,
            (Auth::AnyUser, Some((user, _))) => !user.is_empty(),
            (Auth::Exact { user, password }, Some((u, p))) => {
                constant_time_eq(u.as_bytes(), user.as_bytes())
                    & constant_time_eq(p.as_bytes(), password.expose().as_bytes())
            }
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

/// Compares without stopping at the first difference, so timing does not reveal how much
/// of a password was right.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut difference = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        difference |= usize::from(x ^ b.get(i).copied().unwrap_or(!x));
    }
    difference == 0
}

fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/api/webhooks", get(list_webhooks).post(create_webhook))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .with_state(state)
}

async fn list_webhooks(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    if let Some(refusal) = state.refuse_unauthenticated(&headers) {
        return refusal;
    }
    Json(
        state
            .webhooks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone(),
    )
    .into_response()
}

async fn create_webhook(State(state): State<Arc<SimState>>, request: Request) -> Response {
    if let Some(refusal) = state.refuse_unauthenticated(request.headers()) {
        return refusal;
    }
    let body = match read_body(request.into_body()).await {
        Ok(body) => body,
        Err(status) => {
            return state.error(
                status,
                vec![format!(
                    "The request body is larger than {MAX_BODY_BYTES} bytes."
                )],
            );
        }
    };
    // Like Thulium, the body is read as JSON whatever the Content-Type says: `curl -d`
    // sends JSON labelled as a form.
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => {
            return state.error(
                StatusCode::BAD_REQUEST,
                vec![format!("The request body is not valid JSON: {e}.")],
            );
        }
    };
    match parse_create(&value) {
        Ok((actions, subscription_url, user, password)) => {
            let id = state.next_id.fetch_add(1, Ordering::Relaxed) as i64;
            let webhook = Webhook {
                id,
                actions,
                subscription_url,
                http_auth_user: Some(user),
                http_auth_password: Some(Secret::new(password)),
            };
            state
                .webhooks
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(webhook.clone());
            Json(webhook).into_response()
        }
        Err(messages) => state.error(StatusCode::BAD_REQUEST, messages),
    }
}

async fn read_body(body: Body) -> Result<axum::body::Bytes, StatusCode> {
    to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE)
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
    if errors.is_empty() {
        Ok((actions, subscription_url, user, password))
    } else {
        Err(errors)
    }
}

async fn not_found(State(state): State<Arc<SimState>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    state.error(
        StatusCode::NOT_FOUND,
        vec![format!("No such endpoint: {path}.")],
    )
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
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
    }

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
