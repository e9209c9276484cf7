//! One error type for the whole SDK.
//!
//! It keeps what a user needs to act (the operation, the HTTP status, Thulium's
//! `request_id` and messages) and never the secrets: response bodies are quoted only as a
//! short excerpt with password-like values redacted, and transport errors lose their URL.

use std::{fmt, time::Duration};

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::types::{ApiError, ApiErrorItem};

/// The longest excerpt of an unexpected response body quoted in an error.
const EXCERPT_CHARS: usize = 200;
/// How much of a body an excerpt keeps before it is cleaned of secrets; cut to
/// [`EXCERPT_CHARS`] only after cleaning, so that no secret is cut in half and missed.
const RAW_EXCERPT_CHARS: usize = 4096;
/// How much of an unexpected response body is read at most.
const BODY_LIMIT: usize = 64 * 1024;

/// What went wrong, and where.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Error {
    /// The client configuration was refused (nothing was sent).
    Config {
        /// The setting, e.g. `base_url`.
        field: &'static str,
        /// Why.
        message: String,
    },
    /// The request was refused before it was sent.
    InvalidInput {
        /// The field of the request, e.g. `subscription_url`.
        field: &'static str,
        /// Why.
        message: String,
    },
    /// Thulium answered with its error body.
    Api {
        /// The operation (`listWebhooks`, `createWebhook`).
        operation: &'static str,
        /// The HTTP status.
        status: StatusCode,
        /// The id to quote to Thulium support.
        request_id: Option<String>,
        /// Thulium's messages and codes.
        errors: Vec<ApiErrorItem>,
    },
    /// A failure status whose body is not Thulium's error body: an HTML page from a
    /// proxy, plain text, nothing at all, or a redirect.
    Http {
        /// The operation.
        operation: &'static str,
        /// The HTTP status.
        status: StatusCode,
        /// A short excerpt of the body, secrets redacted (`""` when empty).
        excerpt: String,
    },
    /// A success status whose body does not match the spec.
    InvalidResponse {
        /// The operation.
        operation: &'static str,
        /// The HTTP status, when known.
        status: Option<StatusCode>,
        /// Where in the body decoding failed and why (values are not quoted).
        detail: String,
    },
    /// No complete answer within the timeout.
    Timeout {
        /// The operation.
        operation: &'static str,
        /// The configured timeout.
        timeout: Duration,
    },
    /// The request did not reach Thulium, or the connection broke.
    Transport {
        /// The operation.
        operation: &'static str,
        /// What happened (without the URL).
        message: String,
    },
}

impl Error {
    pub(crate) fn config(field: &'static str, message: impl Into<String>) -> Self {
        Error::Config { field, message: message.into() }
    }

    pub(crate) fn invalid_input(field: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidInput { field, message: message.into() }
    }

    /// The HTTP status of the answer, when one arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } | Error::Http { status, .. } => Some(*status),
            Error::InvalidResponse { status, .. } => *status,
            _ => None,
        }
    }

    /// Thulium's `request_id`, when its error body carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// `true` when the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// Turns what a generated call returned into an [`Error`]. `T` is the success type
    /// of the operation, used to say where a success body failed to decode.
    pub(crate) async fn from_generated<T: DeserializeOwned>(
        operation: &'static str,
        error: progenitor_client::Error<ApiError>,
        status: Option<StatusCode>,
        timeout: Duration,
    ) -> Self {
        use progenitor_client::Error as E;
        match error {
            E::ErrorResponse(response) => {
                let status = response.status();
                let body = response.into_inner();
                Error::Api { operation, status, request_id: body.request_id, errors: body.errors }
            }
            E::InvalidResponsePayload(bytes, _) => match status {
                // progenitor expected Thulium's error body and got something else.
                Some(status) if !status.is_success() => {
                    Error::Http { operation, status, excerpt: excerpt(&bytes) }
                }
                // A success status with Thulium's error body: an error all the same.
                Some(success) => match thulium_error(&bytes) {
                    Some(body) => Error::Api {
                        operation,
                        status: success,
                        request_id: body.request_id,
                        errors: body.errors,
                    },
                    None => Error::InvalidResponse {
                        operation,
                        status: Some(success),
                        detail: decode_detail::<T>(&bytes),
                    },
                },
                None => {
                    Error::InvalidResponse { operation, status, detail: decode_detail::<T>(&bytes) }
                }
            },
            E::UnexpectedResponse(response) => {
                from_unexpected::<T>(operation, response, timeout).await
            }
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                from_transport(operation, e, timeout)
            }
            E::InvalidRequest(message) => Error::InvalidInput { field: "request", message },
            E::Custom(message) => Error::Transport { operation, message },
        }
    }
}

/// Thulium's error body, if `body` is one (with at least one error).
fn thulium_error(body: &[u8]) -> Option<ApiError> {
    serde_json::from_slice::<ApiError>(body).ok().filter(|e| !e.errors.is_empty())
}

/// A status the spec does not list (a redirect, 204, 1xx): read a bounded part of the
/// body and make what sense of it we can.
pub(crate) async fn from_unexpected<T: DeserializeOwned>(
    operation: &'static str,
    mut response: reqwest::Response,
    timeout: Duration,
) -> Error {
    let status = response.status();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        // Never the query or fragment: they may carry a token.
        .map(|location| location.split(['?', '#']).next().unwrap_or_default().to_owned());
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk);
                if body.len() >= BODY_LIMIT {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => return from_transport(operation, e, timeout),
        }
    }
    if status.is_success() {
        return Error::InvalidResponse {
            operation,
            status: Some(status),
            detail: decode_detail::<T>(&body),
        };
    }
    if let Ok(api) = serde_json::from_slice::<ApiError>(&body) {
        return Error::Api { operation, status, request_id: api.request_id, errors: api.errors };
    }
    let excerpt = match (status.is_redirection(), location) {
        // Redirects are not followed: a POST turned into a GET, or credentials sent to
        // another host, would be worse than stopping here.
        (true, Some(location)) => match location.find("/webhooks") {
            // The target is an endpoint; the base URL to configure is what precedes it.
            Some(end) => {
                format!("redirected to {location}; configure the base URL {}", &location[..end])
            }
            None => format!("redirected to {location}"),
        },
        _ => excerpt(&body),
    };
    Error::Http { operation, status, excerpt }
}

pub(crate) fn from_transport(
    operation: &'static str,
    error: reqwest::Error,
    timeout: Duration,
) -> Error {
    if error.is_timeout() {
        return Error::Timeout { operation, timeout };
    }
    Error::Transport { operation, message: transport_message(&error) }
}

/// What went wrong in transport, without the URL (reqwest's own message names it, and
/// a URL may carry a query the user wants private): the kind, then the cause chain.
pub(crate) fn transport_message(error: &reqwest::Error) -> String {
    let mut message = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else if error.is_body() || error.is_decode() {
        "the connection broke while reading the answer".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.is::<http_body_util::LengthLimitError>() {
            return format!(
                "the answer is larger than {} bytes, the most the client reads",
                crate::hooks::MAX_RESPONSE_BYTES
            );
        }
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Where a success body fails to decode as `T`, without quoting any value from it.
fn decode_detail<T: DeserializeOwned>(body: &[u8]) -> String {
    if body.iter().all(u8::is_ascii_whitespace) {
        return "the body is empty or blank".to_owned();
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Ok(_) => "the body decodes, but not as progenitor expected".to_owned(),
        Err(e) => {
            let path = e.path().to_string();
            let message = unquote(&e.into_inner().to_string());
            if path == "." { message } else { format!("at `{path}`: {message}") }
        }
    }
}

/// Replaces quoted values in a serde message (`invalid type: string "…"`) so that a
/// password in the wrong place is never repeated. Escaped quotes inside a value (`\"`)
/// do not end it.
fn unquote(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut inside = None;
    let mut escaped = false;
    for c in message.chars() {
        match inside {
            None if c == '"' || c == '`' => {
                inside = Some(c);
                out.push(c);
                out.push('…');
            }
            None => out.push(c),
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => {
                inside = None;
                out.push(c);
            }
            Some(_) => {}
        }
    }
    out
}

/// Makes text that came from a server safe to show: the caller's own secrets (which a
/// server may echo back) and anything that looks like a Basic or Bearer token become
/// `[redacted]`, and control characters are escaped so that a hostile answer cannot
/// forge lines or send terminal escapes.
pub(crate) fn clean_server_text(text: &str, secrets: &[String]) -> String {
    let mut text = redact_auth_tokens(text);
    for secret in secrets.iter().filter(|s| s.chars().count() >= MIN_SECRET_CHARS) {
        text = text.replace(secret.as_str(), crate::secret::REDACTED);
    }
    text.chars()
        .flat_map(|c| -> Box<dyn Iterator<Item = char>> {
            if c.is_control() { Box::new(c.escape_default()) } else { Box::new(std::iter::once(c)) }
        })
        .collect()
}

/// Secrets shorter than this are not searched for in server text: replacing every `a`
/// would destroy the message and hide nothing.
const MIN_SECRET_CHARS: usize = 3;

/// A short, single-line excerpt of a body with password-like values redacted.
fn excerpt(body: &[u8]) -> String {
    if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) {
        redact_json(&mut value);
        return truncate(&redact_auth_tokens(&value.to_string()), RAW_EXCERPT_CHARS);
    }
    let text = String::from_utf8_lossy(body);
    let single_line: Vec<&str> = text.split_whitespace().collect();
    truncate(&redact_auth_tokens(&single_line.join(" ")), RAW_EXCERPT_CHARS)
}

fn truncate(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Keys whose values are never quoted.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["pass", "secret", "token", "authorization"].iter().any(|k| key.contains(k))
}

fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if is_secret_key(key) && !matches!(value, serde_json::Value::Null) {
                    if value.as_str() != Some("") {
                        *value = serde_json::Value::String(crate::secret::REDACTED.to_owned());
                    }
                } else {
                    redact_json(value);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// `Basic dXNlcjpwYXNz` or `Bearer abc.def` anywhere in a text (a server echoing the
/// request, in HTML, in JSON, after `Authorization:`) becomes `Basic [redacted]`.
fn redact_auth_tokens(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let rest = &lower[i..];
        let scheme =
            ["basic", "bearer"].into_iter().find(|s| rest.starts_with(s)).map_or(0, str::len);
        if scheme > 0 {
            let after = i + scheme;
            let separators = text[after..]
                .bytes()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'=' | b':'))
                .count();
            let start = after + separators;
            let token = text[start..]
                .bytes()
                .take_while(|b| {
                    b.is_ascii_alphanumeric()
                        || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'.' | b'~')
                })
                .count();
            if separators > 0 && token >= 4 {
                out.push_str(&text[i..start]);
                out.push_str(crate::secret::REDACTED);
                i = start + token;
                continue;
            }
        }
        let c = text[i..].chars().next().expect("i is on a char boundary");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

impl Error {
    /// The error with every piece of server text cleaned (see [`clean_server_text`]).
    pub(crate) fn scrubbed(self, secrets: &[String]) -> Self {
        let clean = |text: String| clean_server_text(&text, secrets);
        match self {
            Error::Api { operation, status, request_id, errors } => Error::Api {
                operation,
                status,
                request_id: request_id.map(clean),
                errors: errors
                    .into_iter()
                    .map(|e| ApiErrorItem { message: clean(e.message), code: e.code })
                    .collect(),
            },
            Error::Http { operation, status, excerpt } => {
                Error::Http { operation, status, excerpt: truncate(&clean(excerpt), EXCERPT_CHARS) }
            }
            Error::InvalidResponse { operation, status, detail } => {
                Error::InvalidResponse { operation, status, detail: clean(detail) }
            }
            Error::Transport { operation, message } => {
                Error::Transport { operation, message: clean(message) }
            }
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config { field, message } => {
                write!(f, "invalid configuration: {field}: {message}")
            }
            Error::InvalidInput { field, message } => write!(f, "invalid {field}: {message}"),
            Error::Api { operation, status, request_id, errors } => {
                write!(f, "{operation}: HTTP {status} from Thulium")?;
                let mut separator = ": ";
                for error in errors {
                    write!(f, "{separator}{}", error.message)?;
                    if let Some(code) = error.code {
                        write!(f, " (code {code})")?;
                    }
                    separator = "; ";
                }
                if let Some(request_id) = request_id {
                    write!(f, " [request_id {request_id}]")?;
                }
                Ok(())
            }
            Error::Http { operation, status, excerpt } if excerpt.is_empty() => {
                write!(f, "{operation}: HTTP {status} with an empty body")
            }
            Error::Http { operation, status, excerpt } => {
                write!(f, "{operation}: HTTP {status}, not a Thulium error body: {excerpt}")
            }
            Error::InvalidResponse { operation, status, detail } => {
                write!(f, "{operation}: ")?;
                if let Some(status) = status {
                    write!(f, "HTTP {status}, ")?;
                }
                write!(f, "the answer does not match the API description: {detail}")
            }
            Error::Timeout { operation, timeout } => {
                write!(f, "{operation}: no complete answer within {}", humanize(*timeout))
            }
            Error::Transport { operation, message } => write!(f, "{operation}: {message}"),
        }
    }
}

fn humanize(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_millis())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_loses_tokens_secrets_and_control_characters() {
        let secrets = vec!["hunter2".to_owned(), "ab".to_owned()];
        let cases = [
            (
                "<td>Authorization</td><td>Basic dTpodW50ZXIy</td>",
                "<td>Authorization</td><td>Basic [redacted]</td>",
            ),
            ("Authorization:Basic dTpodW50ZXIy", "Authorization:Basic [redacted]"),
            (
                r#"{"h":[["authorization","Bearer abc.def-ghi"]]}"#,
                r#"{"h":[["authorization","Bearer [redacted]"]]}"#,
            ),
            ("you sent hunter2, about", "you sent [redacted], about"),
            ("line\nforged\u{1b}[2J", "line\\nforged\\u{1b}[2J"),
            ("basically fine", "basically fine"),
        ];
        for (input, expected) in cases {
            assert_eq!(clean_server_text(input, &secrets), expected, "{input}");
        }
    }

    #[test]
    fn unquote_survives_escaped_quotes() {
        let message = r#"invalid type: string "x\"SECRET_AFTER_QUOTE", expected a sequence"#;
        assert_eq!(unquote(message), r#"invalid type: string "…", expected a sequence"#);
    }

    #[test]
    fn excerpts_redact_and_truncate() {
        let json = br#"{"user":"u","http_auth_password":"hunter2","nested":[{"api_token":"t0k"}]}"#;
        let e = excerpt(json);
        assert!(!e.contains("hunter2") && !e.contains("t0k"), "{e}");
        assert!(e.contains("[redacted]"));
        let html = format!("<html>\n<body>{}</body></html>", "x".repeat(500));
        let e = excerpt(html.as_bytes());
        assert!(e.starts_with("<html> <body>xxx") && e.chars().count() < 600);
        let long = truncate(&"x".repeat(5000), EXCERPT_CHARS);
        assert!(long.ends_with('…') && long.chars().count() == EXCERPT_CHARS + 1);
        assert_eq!(
            excerpt(b"echo: Authorization: Basic dTpodW50ZXIy"),
            "echo: Authorization: Basic [redacted]"
        );
    }

    #[test]
    fn decode_details_name_the_path_but_not_the_value() {
        let detail = decode_detail::<Vec<crate::types::Webhook>>(
            br#"[{"id":"hunter2","actions":[],"subscription_url":"x"}]"#,
        );
        assert!(detail.contains("[0].id"), "{detail}");
        assert!(!detail.contains("hunter2"), "{detail}");
        assert_eq!(decode_detail::<crate::types::Webhook>(b""), "the body is empty or blank");
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 10_000,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            /// Any error body: an excerpt, never a panic, at most 200 characters plus the
            /// ellipsis, on one line.
            #[test]
            fn error_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
                let shown = excerpt(&body);
                prop_assert!(shown.chars().count() <= RAW_EXCERPT_CHARS + 1);
                prop_assert!(!shown.contains('\n'));
                let _ = decode_detail::<Vec<crate::types::Webhook>>(&body);
                let _ = serde_json::from_slice::<ApiError>(&body);
            }

            /// Server text: secrets gone, no control characters left, never a panic.
            #[test]
            fn server_text_is_cleaned(text in any::<String>(), secret in "[A-Z0-9]{3,12}", padding in any::<String>()) {
                let text = format!("{padding}{text}{secret}{text}");
                let cleaned = clean_server_text(&text, std::slice::from_ref(&secret));
                prop_assert!(!cleaned.contains(&secret), "{}", cleaned);
                prop_assert!(!cleaned.chars().any(char::is_control), "{:?}", cleaned);
            }
        }
    }
}
