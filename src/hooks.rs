//! Cross-cutting concerns of every generated call, as progenitor `ClientHooks`:
//! HTTP Basic auth (progenitor ignores `securitySchemes`), no `api-version` header
//! (progenitor adds one that Thulium does not define), retries (see [`crate::retry`]),
//! tracing of each attempt, and a note of the response status, which progenitor drops
//! when an error body is not the spec's JSON.

use std::{
    sync::{Arc, Mutex},
    time::Instant,
};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::{StatusCode, header::HeaderValue};

use crate::{
    generated::Client as GeneratedClient,
    retry::{Outcome, RetryPolicy, next_delay},
};

/// What the hooks need for one call. Built by [`crate::Client`] for each request, so the
/// status it records belongs to that request alone.
#[derive(Clone)]
pub struct CallContext {
    authorization: Option<HeaderValue>,
    retry: RetryPolicy,
    timeout: std::time::Duration,
    status: Arc<Mutex<Option<StatusCode>>>,
}

impl CallContext {
    pub(crate) fn new(
        authorization: Option<HeaderValue>,
        retry: RetryPolicy,
        timeout: std::time::Duration,
    ) -> Self {
        CallContext { authorization, retry, timeout, status: Arc::default() }
    }

    /// The status of the response this call received, if any arrived.
    pub(crate) fn status(&self) -> Option<StatusCode> {
        *self.status.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl std::fmt::Debug for CallContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The Authorization header is never shown, not even as `Sensitive`.
        f.debug_struct("CallContext")
            .field("authorization", &self.authorization.as_ref().map(|_| crate::secret::REDACTED))
            .field("retry", &self.retry)
            .field("status", &self.status())
            .finish()
    }
}

/// The largest answer body read: progenitor reads a whole body before decoding it, so
/// without a bound a broken or hostile server could make the client hold gigabytes.
/// A list of 10,000 subscriptions is about 1.3 MB.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The same response, with a body that fails once it passes [`MAX_RESPONSE_BYTES`].
fn limit_body(response: reqwest::Response) -> reqwest::Response {
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let limited = reqwest::Body::wrap(http_body_util::Limited::new(body, MAX_RESPONSE_BYTES));
    reqwest::Response::from(http::Response::from_parts(parts, limited))
}

impl ClientHooks<CallContext> for GeneratedClient {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let headers = request.headers_mut();
        headers.remove("api-version");
        if let Some(authorization) = &self.inner().authorization {
            headers.insert(reqwest::header::AUTHORIZATION, authorization.clone());
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let context = self.inner();
        let idempotent = matches!(*request.method(), reqwest::Method::GET | reqwest::Method::HEAD);
        let started = Instant::now();
        let mut request = request;
        let mut attempt = 1;
        loop {
            // A copy for a next attempt, if one may follow (bodies here are always bytes,
            // so it can be made).
            let copy =
                if attempt < context.retry.max_attempts { request.try_clone() } else { None };
            let sent = Instant::now();
            let result = self.client().execute(request).await;
            let outcome = match &result {
                Ok(response) => Outcome::Answered(response.status(), response.headers()),
                Err(e) if e.is_connect() => Outcome::NotConnected,
                Err(_) => Outcome::NoAnswer,
            };
            let delay = next_delay(
                &context.retry,
                idempotent,
                attempt,
                started.elapsed(),
                context.timeout,
                outcome,
            );
            let status = result.as_ref().ok().map(|r| r.status().as_u16());
            tracing::debug!(
                operation = info.operation_id,
                attempt,
                status,
                duration_ms = sent.elapsed().as_millis() as u64,
                retry_in_ms = delay.map(|d| d.as_millis() as u64),
                "thulium request attempt"
            );
            match (delay, copy) {
                (Some(delay), Some(copy)) => {
                    tokio::time::sleep(delay).await;
                    request = copy;
                    attempt += 1;
                }
                _ => {
                    if let Ok(response) = &result {
                        *context.status.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) =
                            Some(response.status());
                    }
                    return result.map(limit_body);
                }
            }
        }
    }
}
