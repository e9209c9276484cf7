//! Receiving notifications: check Thulium's Basic auth, bound the body, parse it.
//!
//! [`Receiver`] is framework-free: give it the `Authorization` header, the
//! `Content-Type` and the body from any web framework. With the `axum` feature,
//! [`handler`] is a ready axum route and [`Listener`] a local server that hands each
//! notification to your code or test.
//!
//! The answers follow what Thulium needs: 2xx for every well-formed notification,
//! including actions this version does not know; 401 for missing or wrong credentials
//! (when credentials are configured); 413 for a body over the limit; 400 naming the
//! field for a malformed one.

use std::fmt;

use crate::{Notification, NotificationError, Secret, secret::REDACTED};

/// The largest notification body accepted by default. Thulium's notifications are a
/// handful of short fields.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// Checks and parses incoming notifications.
#[derive(Clone)]
pub struct Receiver {
    credentials: Option<(String, Secret)>,
    max_body_bytes: usize,
}

impl Default for Receiver {
    fn default() -> Self {
        Receiver { credentials: None, max_body_bytes: DEFAULT_MAX_BODY_BYTES }
    }
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .field("password", &self.credentials.as_ref().map(|_| REDACTED))
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl Receiver {
    /// A receiver that accepts notifications without credentials.
    pub fn new() -> Self {
        Receiver::default()
    }

    /// Require these credentials: the subscription's `http_auth_user` and
    /// `http_auth_password`.
    pub fn with_basic_auth(mut self, user: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.credentials = Some((user.into(), password.into()));
        self
    }

    /// Refuse bodies larger than this ([`DEFAULT_MAX_BODY_BYTES`] unless set).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The body size limit.
    pub fn body_limit(&self) -> usize {
        self.max_body_bytes
    }

    /// Checks the `Authorization` header (a no-op without configured credentials).
    pub fn check_authorization(&self, authorization: Option<&[u8]>) -> Result<(), Rejection> {
        match &self.credentials {
            None => Ok(()),
            Some((user, password))
                if crate::basic_auth::verify(authorization, user, password.expose()) =>
            {
                Ok(())
            }
            Some(_) => Err(Rejection {
                status: 401,
                message: if authorization.is_some() {
                    "wrong Basic credentials".to_owned()
                } else {
                    "Basic credentials required".to_owned()
                },
                error: None,
            }),
        }
    }

    /// Checks credentials and size, then parses: what a web handler does with a request.
    pub fn receive(
        &self,
        authorization: Option<&[u8]>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Notification, Rejection> {
        self.check_authorization(authorization)?;
        self.parse_body(content_type, body)
    }

    /// Size check and parse, for a caller that has checked the credentials already.
    pub(crate) fn parse_body(
        &self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Notification, Rejection> {
        if body.len() > self.max_body_bytes {
            return Err(Rejection::too_large(self.max_body_bytes));
        }
        Notification::parse(content_type, body).map_err(|error| Rejection {
            status: 400,
            message: error.to_string(),
            error: Some(error),
        })
    }
}

/// Why a notification was refused, and the status to answer with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    status: u16,
    message: String,
    error: Option<NotificationError>,
}

impl Rejection {
    fn too_large(limit: usize) -> Self {
        Rejection {
            status: 413,
            message: format!("the body is larger than {limit} bytes"),
            error: None,
        }
    }

    #[cfg(feature = "axum")]
    fn unreadable(error: &dyn std::error::Error) -> Self {
        Rejection { status: 400, message: format!("the body cannot be read: {error}"), error: None }
    }

    /// The HTTP status to answer: 400, 401 or 413.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The parse error, for a malformed body.
    pub fn parse_error(&self) -> Option<&NotificationError> {
        self.error.as_ref()
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}

impl std::error::Error for Rejection {}

#[cfg(feature = "axum")]
mod with_axum;
#[cfg(feature = "simulator")]
pub(crate) use with_axum::is_too_large;
#[cfg(feature = "axum")]
pub use with_axum::{Listener, Received, handler};
