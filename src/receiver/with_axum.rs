//! The receiver for axum (feature `axum`): a route handler, and a local listener for
//! development and tests.

use std::{future::Future, net::SocketAddr};

use axum::{
    Router,
    body::{Body, to_bytes},
    extract::Request,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{MethodRouter, post},
};
use tokio::{net::TcpListener, sync::mpsc, task::JoinHandle};

use super::{Receiver, Rejection};
use crate::Notification;

/// An axum `POST` route that checks and parses each notification with `receiver` and
/// hands it to `on_notification`; it answers `200 ok`, or the [`Rejection`]'s status
/// with its message as plain text.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use thulium_webhooks::receiver::{Receiver, handler};
///
/// let receiver = Receiver::new().with_basic_auth("thulium", "notification-password");
/// let app = axum::Router::new().route(
///     "/thulium",
///     handler(receiver, |notification| async move {
///         println!("{notification}");
///     }),
/// );
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8090").await?;
/// axum::serve(listener, app).await
/// # }
/// ```
pub fn handler<S, F, Fut>(receiver: Receiver, on_notification: F) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(Notification) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    post(move |request: Request| {
        let receiver = receiver.clone();
        let on_notification = on_notification.clone();
        async move {
            match receive(&receiver, request).await {
                Ok(notification) => {
                    on_notification(notification).await;
                    (StatusCode::OK, "ok").into_response()
                }
                Err(rejection) => rejection_response(&rejection),
            }
        }
    })
}

async fn receive(receiver: &Receiver, request: Request) -> Result<Notification, Rejection> {
    let (parts, body) = request.into_parts();
    let authorization = parts.headers.get(header::AUTHORIZATION).map(|v| v.as_bytes().to_vec());
    // Credentials first: an unauthenticated caller does not get to make us read a body.
    receiver.check_authorization(authorization.as_deref())?;
    let content_type =
        parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = read_limited(body, receiver.body_limit()).await?;
    receiver.parse_body(content_type.as_deref(), &body)
}

async fn read_limited(body: Body, limit: usize) -> Result<axum::body::Bytes, Rejection> {
    to_bytes(body, limit).await.map_err(|error| {
        if is_too_large(&error) {
            Rejection::too_large(limit)
        } else {
            Rejection::unreadable(&error)
        }
    })
}

/// `true` when reading a body failed because it passed the limit (413), not because it
/// was broken (400): shared with the simulator.
pub(crate) fn is_too_large(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if cause.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = cause.source();
    }
    false
}

fn rejection_response(rejection: &Rejection) -> Response {
    let status = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, rejection.message.clone()).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"notifications\""),
        );
    }
    response
}

/// What a [`Listener`] got: a notification, or a request it refused.
pub type Received = Result<Notification, Rejection>;

/// A notification receiver on 127.0.0.1 that queues what arrives: for local development
/// (`thulium-webhooks listen`) and for tests (subscribe its [`Listener::url`] on the
/// simulator, trigger an event, then `next().await`).
pub struct Listener {
    addr: SocketAddr,
    received: mpsc::UnboundedReceiver<Received>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").field("url", &self.url()).finish_non_exhaustive()
    }
}

impl Listener {
    /// Starts listening on `port` of 127.0.0.1 (0: any free port), on every path.
    pub async fn start(receiver: Receiver, port: u16) -> std::io::Result<Listener> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let addr = listener.local_addr()?;
        let (queue, received) = mpsc::unbounded_channel();
        let route = post(move |request: Request| {
            let receiver = receiver.clone();
            let queue = queue.clone();
            async move {
                let result = receive(&receiver, request).await;
                let response = match &result {
                    Ok(_) => (StatusCode::OK, "ok").into_response(),
                    Err(rejection) => rejection_response(rejection),
                };
                let _ = queue.send(result);
                response
            }
        });
        let app = Router::new().route("/", route.clone()).route("/{*path}", route);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Listener { addr, received, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to subscribe, e.g. `http://127.0.0.1:41234/notifications`.
    pub fn url(&self) -> String {
        format!("http://{}/notifications", self.addr)
    }

    /// The next notification or refusal, in arrival order.
    pub async fn next(&mut self) -> Option<Received> {
        self.received.recv().await
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}
