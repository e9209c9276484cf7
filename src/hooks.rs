//! Cross-cutting concerns of every generated call, as progenitor `ClientHooks`:
//! HTTP Basic auth (progenitor ignores `securitySchemes`), no `api-version` header
//! (progenitor adds one that Thulium does not define), and a note of the response
//! status, which progenitor drops when an error body is not the spec's JSON.

use std::sync::{Arc, Mutex};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::{StatusCode, header::HeaderValue};

use crate::generated::Client as GeneratedClient;

/// What the hooks need for one call. Built by [`crate::Client`] for each request, so the
/// status it records belongs to that request alone.
#[derive(Clone)]
pub struct CallContext {
    authorization: Option<HeaderValue>,
    status: Arc<Mutex<Option<StatusCode>>>,
}

impl CallContext {
    pub(crate) fn new(authorization: Option<HeaderValue>) -> Self {
        CallContext { authorization, status: Arc::default() }
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
            .field("status", &self.status())
            .finish()
    }
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
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
        *self.inner().status.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) =
            Some(response.status());
        Ok(response)
    }
}
