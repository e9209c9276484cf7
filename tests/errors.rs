//! How failures reach the user: Thulium's error body, a proxy's HTML, empty and plain
//! bodies, redirects, undecodable successes, timeouts and refused connections. The status
//! is never lost and no secret is ever printed.

mod common;

use std::time::Duration;

use common::capture::{CaptureServer, Reply};
use thulium_webhooks::{Action, Client, Error, RetryPolicy, WebhookCreate};

const PASSWORD: &str = "api-pass-CANARY";

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .credentials("api_user", PASSWORD)
        .timeout(Duration::from_millis(300))
        // One attempt per case: retries have their own tests.
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

async fn list_error(reply: Reply) -> Error {
    let server = CaptureServer::start(vec![reply]).await;
    let error = client(&server.base_url()).list_webhooks().await.unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(PASSWORD), "secret in {shown}");
    error
}

#[tokio::test]
async fn thulium_error_body() {
    let error = list_error(Reply::json(
        403,
        r#"{"request_id":"53678450401cf","errors":[{"message":"No permission to the webhooks area.","code":403001}]}"#,
    ))
    .await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(error.request_id(), Some("53678450401cf"));
    insta::assert_snapshot!(error.to_string(), @"listWebhooks: HTTP 403 Forbidden from Thulium: No permission to the webhooks area. (code 403001) [request_id 53678450401cf]");
}

#[tokio::test]
async fn thulium_validation_errors_on_create() {
    let server = CaptureServer::start(vec![Reply::json(
        400,
        r#"{"request_id":"5367845040200","errors":[{"message":"Unknown action: FOO.","code":1001},{"message":"Bad URL.","code":1002}]}"#,
    )])
    .await;
    let body = WebhookCreate::new("https://example.pl", ["FOO"]);
    let error = client(&server.base_url()).create_webhook(&body).await.unwrap_err();
    insta::assert_snapshot!(error.to_string(), @"createWebhook: HTTP 400 Bad Request from Thulium: Unknown action: FOO. (code 1001); Bad URL. (code 1002) [request_id 5367845040200]");
}

#[tokio::test]
async fn html_from_a_proxy_keeps_the_status() {
    let error = list_error(Reply::raw(
        502,
        Some("text/html"),
        b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body></html>",
    ))
    .await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    insta::assert_snapshot!(error.to_string(), @"listWebhooks: HTTP 502 Bad Gateway, not a Thulium error body: <html> <head><title>502 Bad Gateway</title></head> <body><center><h1>502 Bad Gateway</h1></center></body></html>");
}

#[tokio::test]
async fn empty_401_keeps_the_status() {
    let error = list_error(Reply::raw(401, None, b"")).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    insta::assert_snapshot!(error.to_string(), @"listWebhooks: HTTP 401 Unauthorized with an empty body");
}

#[tokio::test]
async fn plain_text_500() {
    let error = list_error(Reply::raw(500, Some("text/plain"), b"upstream failed")).await;
    insta::assert_snapshot!(error.to_string(), @"listWebhooks: HTTP 500 Internal Server Error, not a Thulium error body: upstream failed");
}

#[tokio::test]
async fn json_that_is_not_thulium_error_is_quoted_redacted() {
    let error = list_error(Reply::json(
        422,
        r#"{"detail":"bad","echo":{"http_auth_password":"hook-CANARY"}}"#,
    ))
    .await;
    assert!(!error.to_string().contains("hook-CANARY"));
    insta::assert_snapshot!(error.to_string(), @r#"listWebhooks: HTTP 422 Unprocessable Entity, not a Thulium error body: {"detail":"bad","echo":{"http_auth_password":"[redacted]"}}"#);
}

#[tokio::test]
async fn undecodable_success_names_the_field_not_the_value() {
    let error = list_error(Reply::json(
        200,
        r#"[{"id":1,"actions":["CUSTOMER_CREATED"],"subscription_url":"https://a.example/"},{"id":"hook-CANARY","actions":[],"subscription_url":"x"}]"#,
    ))
    .await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert!(!error.to_string().contains("hook-CANARY"));
    insta::assert_snapshot!(error.to_string(), @r#"listWebhooks: HTTP 200 OK, the answer does not match the API description: at `[1].id`: expected a whole number, got "…" at line 1 column 100"#);
}

#[tokio::test]
async fn empty_success_body() {
    let error = list_error(Reply::raw(200, Some("application/json"), b"")).await;
    insta::assert_snapshot!(error.to_string(), @"listWebhooks: HTTP 200 OK, the answer does not match the API description: the body is empty or blank");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = CaptureServer::start(vec![
        Reply::raw(302, None, b"")
            .with_header("Location", "https://elsewhere.example/api/webhooks"),
    ])
    .await;
    let body = WebhookCreate::new("https://example.pl", [Action::CustomerCreated]);
    let error = client(&server.base_url()).create_webhook(&body).await.unwrap_err();
    assert_eq!(server.requests().len(), 1, "the POST was not repeated anywhere");
    insta::assert_snapshot!(error.to_string(), @"createWebhook: HTTP 302 Found, not a Thulium error body: redirected to https://elsewhere.example/api/webhooks; configure the base URL https://elsewhere.example/api");
}

#[tokio::test]
async fn no_answer_is_a_timeout() {
    let error = list_error(Reply::Silence).await;
    assert!(error.is_timeout(), "{error:?}");
    insta::assert_snapshot!(error.to_string(), @"listWebhooks: no complete answer within 300 ms");
}

#[tokio::test]
async fn a_stalled_body_is_a_timeout() {
    let error = list_error(Reply::StallBody { status: 200 }).await;
    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn refused_connection_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let error = client(&format!("http://{addr}/api")).list_webhooks().await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.to_string().contains("cannot connect"), "{error}");
    assert!(!error.to_string().contains(PASSWORD));
}

#[test]
fn client_debug_shows_no_password() {
    let client = client("http://127.0.0.1:1/api");
    let debug = format!("{client:?}");
    assert!(!debug.contains(PASSWORD), "{debug}");
    assert!(debug.contains("api_user"));
}

#[test]
fn configuration_errors_name_the_field() {
    let missing = Client::builder().credentials("u", "p").build().unwrap_err();
    assert!(matches!(missing, Error::Config { field: "base_url", .. }), "{missing}");
    let no_user = Client::builder().system("acme").build().unwrap_err();
    assert!(matches!(no_user, Error::Config { field: "api_user", .. }), "{no_user}");
    let zero = Client::builder()
        .system("acme")
        .credentials("u", "p")
        .timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert!(matches!(zero, Error::Config { field: "timeout", .. }), "{zero}");
}

/// A hostile or careless server echoes the request back in its error: the API password,
/// the Basic token and the webhook password must not come through, in any shape, and
/// control characters must not reach a terminal.
#[tokio::test]
async fn echoed_secrets_and_control_characters_never_come_through() {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("api_user:{PASSWORD}"));
    let bodies = [
        Reply::raw(
            401,
            Some("text/html"),
            format!("<td>Authorization</td><td>Basic {token}</td>").as_bytes(),
        ),
        Reply::raw(401, Some("text/plain"), format!("Authorization:Basic {token}").as_bytes()),
        Reply::json(401, &format!(r#"{{"headers":[["authorization","Basic {token}"]]}}"#)),
        Reply::json(401, &format!(r#"{{"debug":"you sent api_user:{PASSWORD}"}}"#)),
        Reply::json(
            400,
            r#"{"request_id":"x\ny","errors":[{"message":"echo: hook-CANARY-pw\u001b[2J","code":1}]}"#,
        ),
        Reply::raw(502, Some("text/html"), b"<pre>http_auth_password=hook-CANARY-pw</pre>"),
        // A secret across the excerpt's cut is still found: cleaning comes first.
        Reply::raw(500, Some("text/plain"), format!("{}{PASSWORD}", "x".repeat(189)).as_bytes()),
        Reply::raw(302, None, b"")
            .with_header("Location", "https://elsewhere.example/api/webhooks?token=hook-CANARY-pw"),
    ];
    for reply in bodies {
        let server = CaptureServer::start(vec![reply.clone()]).await;
        let body = WebhookCreate::new("https://example.pl", [Action::CustomerCreated])
            .with_basic_auth("thulium", "hook-CANARY-pw");
        let error = client(&server.base_url()).create_webhook(&body).await.unwrap_err();
        let shown = format!("{error} {error:?}");
        for secret in [PASSWORD, token.as_str(), "hook-CANARY-pw"] {
            assert!(!shown.contains(secret), "{secret} leaked from {reply:?}: {shown}");
        }
        assert!(!shown.chars().any(|c| c.is_control()), "control character in {shown:?}");
        assert!(error.status().is_some(), "{shown}");
        for fragment in ["api-pass-CA", "hook-CAN"] {
            assert!(!shown.contains(fragment), "part of a secret in {shown}");
        }
    }
}
