//! The SDK's client: the generated operations behind a checked configuration, one
//! error type and the calls users actually want (`ensure_webhook`).

use std::{fmt, time::Duration};

use progenitor_client::{ClientInfo, ResponseValue};
use reqwest::header::HeaderValue;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::{
    Error,
    config::{BaseUrl, ClientBuilder, Credentials, USER_AGENT},
    generated::Client as GeneratedClient,
    hooks::CallContext,
    retry::RetryPolicy,
    subscription::Ensured,
    types::{ApiError, Webhook, WebhookCreate},
};

/// A client of one Thulium system's webhooks API. Cheap to clone; clones share
/// connections.
///
/// `Debug` shows the base URL, the API user and the timeout, never the password.
#[derive(Clone)]
pub struct Client {
    base_url: BaseUrl,
    credentials: Credentials,
    authorization: HeaderValue,
    timeout: Duration,
    retry: RetryPolicy,
    http: reqwest::Client,
}

impl Client {
    /// Starts a configuration: [`ClientBuilder::system`] or [`ClientBuilder::base_url`],
    /// then [`ClientBuilder::credentials`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    pub(crate) fn from_parts(
        base_url: BaseUrl,
        credentials: Credentials,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Self, Error> {
        let mut http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            // A redirect could turn a POST into a GET or carry the credentials to another
            // host; the error names the target instead.
            .redirect(reqwest::redirect::Policy::none());
        if base_url.is_loopback() {
            // The simulator and test servers must not depend on proxy variables.
            http = http.no_proxy();
        }
        let http = http
            .build()
            .map_err(|e| Error::config("http", format!("cannot set up the HTTP client: {e}")))?;
        let authorization = credentials.header();
        Ok(Client { base_url, credentials, authorization, timeout, retry, http })
    }

    /// The normalised base URL, e.g. `https://acme.thulium.com/api`.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base_url
    }

    /// The API user the client authenticates as.
    pub fn api_user(&self) -> &str {
        self.credentials.user()
    }

    /// The request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// `GET /webhooks`: every subscription of the system.
    pub async fn list_webhooks(&self) -> Result<Vec<Webhook>, Error> {
        async {
            let started = std::time::Instant::now();
            let api = self.generated();
            let result = api.list_webhooks().await;
            self.finish_with("listWebhooks", &api, result, None, started).await
        }
        .instrument(call_span("listWebhooks"))
        .await
    }

    /// `POST /webhooks`: creates a subscription (checked with
    /// [`WebhookCreate::validate`] first; nothing is sent when it fails).
    ///
    /// Not idempotent: calling it twice creates two subscriptions. See
    /// [`Client::ensure_webhook`].
    pub async fn create_webhook(&self, webhook: &WebhookCreate) -> Result<Webhook, Error> {
        webhook.validate()?;
        self.create_validated(webhook).await
    }

    /// `POST /webhooks` for a body that [`WebhookCreate::validate`] accepted.
    async fn create_validated(&self, webhook: &WebhookCreate) -> Result<Webhook, Error> {
        async {
            let started = std::time::Instant::now();
            let api = self.generated();
            let result = api.create_webhook(webhook).await;
            // The webhook password is in the request: a server echoing it must not show it.
            let extra = webhook.http_auth_password.as_ref().map(|p| p.expose().to_owned());
            self.finish_with("createWebhook", &api, result, extra, started).await
        }
        .instrument(call_span("createWebhook"))
        .await
    }

    /// Creates the subscription unless one with the same URL and the same set of actions
    /// exists ([`Webhook::matches`]); what deployment scripts need.
    ///
    /// It lists, then creates: two processes ensuring the same subscription at the same
    /// moment can still both create it (the API offers nothing atomic).
    pub async fn ensure_webhook(&self, webhook: &WebhookCreate) -> Result<Ensured, Error> {
        webhook.validate()?;
        let existing = self.list_webhooks().await?;
        if let Some(found) = existing.into_iter().find(|w| w.matches(webhook)) {
            return Ok(Ensured::Existing(found));
        }
        self.create_validated(webhook).await.map(Ensured::Created)
    }

    /// A generated client for one call, with a fresh [`CallContext`] so that the
    /// response status the hooks record belongs to this call alone.
    fn generated(&self) -> GeneratedClient {
        GeneratedClient::new_with_client(
            self.base_url.as_str(),
            self.http.clone(),
            CallContext::new(Some(self.authorization.clone()), self.retry.clone(), self.timeout),
        )
    }

    /// Maps what a generated call returned to the SDK's result; server text in an error
    /// is cleaned of this client's secrets and of `extra_secret`.
    async fn finish_with<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        api: &GeneratedClient,
        result: Result<ResponseValue<T>, progenitor_client::Error<ApiError>>,
        extra_secret: Option<String>,
        started: std::time::Instant,
    ) -> Result<T, Error> {
        let result = match result {
            Ok(value) => Ok(value.into_inner()),
            Err(error) => {
                let status = api.inner().status();
                let error =
                    Error::from_generated::<T>(operation, error, status, self.timeout).await;
                let mut secrets = self.secrets();
                secrets.extend(extra_secret);
                Err(error.scrubbed(&secrets))
            }
        };
        // The call's span gets its outcome; one event per call says it too. No secret is
        // among the fields.
        let span = tracing::Span::current();
        span.record("status", api.inner().status().map(|s| s.as_u16()));
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        span.record("request_id", result.as_ref().err().and_then(Error::request_id));
        tracing::debug!(
            operation,
            status = api.inner().status().map(|s| s.as_u16()),
            duration_ms = started.elapsed().as_millis() as u64,
            request_id = result.as_ref().err().and_then(Error::request_id),
            error = result.as_ref().err().map(tracing::field::display),
            "thulium call"
        );
        result
    }

    /// What a server might echo back that must never be shown: the password, the
    /// `user:password` pair and the Basic token.
    fn secrets(&self) -> Vec<String> {
        let password = self.credentials.password().expose();
        let pair = format!("{}:{password}", self.credentials.user());
        let token =
            self.authorization.to_str().unwrap_or_default().trim_start_matches("Basic ").to_owned();
        vec![password.to_owned(), pair, token]
    }
}

impl Client {
    /// A request to `{base_url}/{path}` outside the spec (the simulator's control
    /// endpoints), sent with the client's auth, timeout and error mapping.
    #[cfg(feature = "simulator")]
    pub(crate) async fn send_outside_spec<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        method: reqwest::Method,
        path: &str,
        json: Option<&serde_json::Value>,
    ) -> Result<T, Error> {
        let mut request = self
            .http
            .request(method, format!("{}/{path}", self.base_url))
            .header(reqwest::header::AUTHORIZATION, self.authorization.clone());
        if let Some(json) = json {
            request = request.json(json);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return Err(crate::error::from_transport(operation, e, self.timeout)),
        };
        if !response.status().is_success() {
            let error = crate::error::from_unexpected::<T>(operation, response, self.timeout).await;
            return Err(error.scrubbed(&self.secrets()));
        }
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| crate::error::from_transport(operation, e, self.timeout))?;
        serde_json::from_slice(&body).map_err(|e| Error::InvalidResponse {
            operation,
            status: Some(status),
            detail: format!("not the expected JSON (line {}, column {})", e.line(), e.column()),
        })
    }
}

/// The span of one SDK call: `thulium.call` with the operation, and, once known, the
/// HTTP status, the duration and Thulium's `request_id`.
fn call_span(operation: &'static str) -> tracing::Span {
    tracing::debug_span!(
        "thulium.call",
        operation,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
        request_id = tracing::field::Empty,
    )
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("api_user", &self.credentials.user())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
