//! Faults public bug reports show again and again, each pinned as a kind: forward
//! compatibility, odd response shapes, retries, secrets in traces.

mod common;

use std::time::Duration;

use common::capture::{CaptureServer, Reply};
use thulium_webhooks::{Action, Client, Error, RetryPolicy, WebhookCreate};

const LISTED: &str =
    r#"[{"id":1,"actions":["CUSTOMER_CREATED"],"subscription_url":"https://a.example/"}]"#;
const CREATED: &str =
    r#"{"id":2,"actions":["CUSTOMER_CREATED"],"subscription_url":"https://a.example/"}"#;

/// Fast retries, so the tests wait milliseconds, not seconds.
fn fast() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(5),
        max_total: Duration::from_secs(5),
    }
}

fn client(server: &CaptureServer, retry: RetryPolicy) -> Client {
    Client::builder()
        .base_url(&server.base_url())
        .credentials("api_user", "api-pass-CANARY")
        .timeout(Duration::from_millis(500))
        .retry(retry)
        .build()
        .unwrap()
}

fn create_body() -> WebhookCreate {
    WebhookCreate::new("https://a.example/", [Action::CustomerCreated])
}

#[tokio::test]
async fn list_is_retried_on_429_502_503_504() {
    for status in [429, 502, 503, 504] {
        let server =
            CaptureServer::start(vec![Reply::raw(status, None, b""), Reply::json(200, LISTED)])
                .await;
        let listed = client(&server, fast()).list_webhooks().await.unwrap();
        assert_eq!(listed.len(), 1, "after {status}");
        assert_eq!(server.requests().len(), 2, "one retry after {status}");
    }
}

#[tokio::test]
async fn retries_are_bounded_and_keep_the_last_status() {
    let server =
        CaptureServer::start(vec![Reply::raw(503, Some("text/html"), b"<h1>down</h1>")]).await;
    let error = client(&server, fast()).list_webhooks().await.unwrap_err();
    assert_eq!(server.requests().len(), 3, "max_attempts in all");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));

    let server = CaptureServer::start(vec![Reply::raw(503, None, b"")]).await;
    client(&server, RetryPolicy::none()).list_webhooks().await.unwrap_err();
    assert_eq!(server.requests().len(), 1, "retries can be switched off");
}

#[tokio::test]
async fn retry_after_is_honoured_and_bounded_by_the_total_time() {
    let server = CaptureServer::start(vec![
        Reply::raw(503, None, b"").with_header("Retry-After", "0"),
        Reply::json(200, LISTED),
    ])
    .await;
    client(&server, fast()).list_webhooks().await.unwrap();
    assert_eq!(server.requests().len(), 2);

    // A wait beyond max_total is not started: the 503 comes back at once.
    let server =
        CaptureServer::start(vec![Reply::raw(503, None, b"").with_header("Retry-After", "3600")])
            .await;
    let error = client(&server, fast()).list_webhooks().await.unwrap_err();
    assert_eq!((server.requests().len(), error.status().map(|s| s.as_u16())), (1, Some(503)));
}

#[tokio::test]
async fn a_timed_out_list_is_retried() {
    let server = CaptureServer::start(vec![Reply::Silence, Reply::json(200, LISTED)]).await;
    assert_eq!(client(&server, fast()).list_webhooks().await.unwrap().len(), 1);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn create_is_retried_only_when_thulium_cannot_have_acted() {
    // 429: refused unprocessed, so safe to send again.
    let server =
        CaptureServer::start(vec![Reply::raw(429, None, b""), Reply::json(200, CREATED)]).await;
    assert_eq!(client(&server, fast()).create_webhook(&create_body()).await.unwrap().id, 2);
    assert_eq!(server.requests().len(), 2);

    // 502/503/504 or no answer: the subscription may exist, so no second POST.
    for reply in [
        Reply::raw(502, None, b""),
        Reply::raw(503, None, b""),
        Reply::raw(504, None, b""),
        Reply::Silence,
    ] {
        let server = CaptureServer::start(vec![reply.clone(), Reply::json(200, CREATED)]).await;
        client(&server, fast()).create_webhook(&create_body()).await.unwrap_err();
        assert_eq!(server.requests().len(), 1, "create was not repeated after {reply:?}");
    }
}

#[tokio::test]
async fn create_is_retried_when_the_connection_was_refused() {
    // Nothing listens at first; the server comes up while the client backs off.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let retry = RetryPolicy { max_attempts: 50, base_delay: Duration::from_millis(20), ..fast() };
    let client = Client::builder()
        .base_url(&format!("http://{addr}/api"))
        .credentials("api_user", "x")
        .retry(retry)
        .build()
        .unwrap();
    let attempt = tokio::spawn(async move { client.create_webhook(&create_body()).await });
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let (mut stream, _) = listener.accept().await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = vec![0u8; 4096];
    let n = stream.read(&mut buffer).await.unwrap();
    assert!(buffer[..n].starts_with(b"POST /api/webhooks"));
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{CREATED}",
        CREATED.len()
    );
    stream.write_all(response.as_bytes()).await.unwrap();
    assert_eq!(attempt.await.unwrap().unwrap().id, 2);
}

#[tokio::test]
async fn forward_compatible_lists() {
    // An id as a numeric string, unknown actions and fields, null credentials: decoded.
    let body = r#"[{"id":"17","actions":["CUSTOMER_CREATED","SOMETHING_NEW"],"subscription_url":"https://a.example/","http_auth_user":null,"http_auth_password":null,"new_field":{"x":1}}]"#;
    let server = CaptureServer::start(vec![Reply::json(200, body)]).await;
    let listed = client(&server, fast()).list_webhooks().await.unwrap();
    assert_eq!(listed[0].id, 17);
    assert_eq!(listed[0].actions[1], Action::Unknown("SOMETHING_NEW".into()));

    // null where a string is required: an error naming the path, without the body.
    let body = r#"[{"id":1,"actions":[],"subscription_url":"https://a.example/"},{"id":2,"actions":[],"subscription_url":null,"http_auth_password":"hook-CANARY"}]"#;
    let server = CaptureServer::start(vec![Reply::json(200, body)]).await;
    let error = client(&server, fast()).list_webhooks().await.unwrap_err();
    let shown = error.to_string();
    assert!(shown.contains("[1].subscription_url"), "{shown}");
    assert!(!shown.contains("hook-CANARY"), "{shown}");
}

#[tokio::test]
async fn response_shapes_keep_the_status() {
    let cases: Vec<(Reply, u16, &str)> = vec![
        (Reply::raw(200, Some("application/json"), b""), 200, "InvalidResponse"),
        (Reply::raw(201, Some("application/json"), b"  "), 201, "InvalidResponse"),
        (
            Reply::json(
                200,
                r#"{"request_id":"abc","errors":[{"message":"Permission denied.","code":7}]}"#,
            ),
            200,
            "Api",
        ),
        (
            Reply::json(200, LISTED)
                .with_header("X-Unexpected", "yes")
                .with_header("Set-Cookie", "a=b"),
            0,
            "Ok",
        ),
        (Reply::raw(500, Some("text/plain"), b"oops"), 500, "Http"),
        (Reply::raw(404, None, b""), 404, "Http"),
    ];
    for (reply, status, kind) in cases {
        let server = CaptureServer::start(vec![reply.clone()]).await;
        let result = client(&server, RetryPolicy::none()).list_webhooks().await;
        let got = match &result {
            Ok(_) => "Ok",
            Err(Error::Api { .. }) => "Api",
            Err(Error::Http { .. }) => "Http",
            Err(Error::InvalidResponse { .. }) => "InvalidResponse",
            Err(_) => "other",
        };
        assert_eq!(got, kind, "{reply:?}: {result:?}");
        if let Err(error) = result {
            assert_eq!(error.status().map(|s| s.as_u16()), Some(status), "{reply:?}");
        }
    }
}

#[tokio::test]
async fn oversized_answers_are_refused_not_buffered() {
    let item = r#"{"id":1,"actions":["CUSTOMER_CREATED"],"subscription_url":"https://a.example/"}"#;
    let list_of = |bytes: usize| {
        let count = bytes / (item.len() + 1) + 1;
        format!("[{}]", vec![item; count].join(","))
    };
    // A long timeout: this is about size, and a slow machine must not turn it into a timeout.
    let client = |server: &CaptureServer| {
        Client::builder()
            .base_url(&server.base_url())
            .credentials("api_user", "x")
            .timeout(Duration::from_secs(20))
            .retry(RetryPolicy::none())
            .build()
            .unwrap()
    };
    // 17 MiB of a valid-looking list: over the 16 MiB the client reads.
    let server = CaptureServer::start(vec![Reply::json(200, &list_of(17 * 1024 * 1024))]).await;
    let error = client(&server).list_webhooks().await.unwrap_err();
    assert!(error.to_string().contains("larger than 16777216 bytes"), "{error}");
    // Under the bound, it decodes.
    let server = CaptureServer::start(vec![Reply::json(200, &list_of(2 * 1024 * 1024))]).await;
    assert!(client(&server).list_webhooks().await.unwrap().len() > 20_000);
}
