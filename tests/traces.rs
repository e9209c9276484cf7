//! Secrets never reach tracing output, at any level. Its own test binary: tracing's
//! per-callsite interest cache is global, and tests running beside it on other threads
//! without a subscriber would switch the client's events off.

mod common;

use std::time::Duration;

use common::capture::{CaptureServer, Reply};
use thulium_webhooks::{Action, Client, RetryPolicy, WebhookCreate};

/// Every tracing event the client emits, at every level, with canary credentials.
#[tokio::test]
async fn traces_carry_no_secrets() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Capture {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = CaptureServer::start(vec![
        Reply::raw(503, None, b""),
        Reply::json(401, r#"{"request_id":"r1","errors":[{"message":"echo api-pass-CANARY"}]}"#),
    ])
    .await;
    let retry = RetryPolicy { base_delay: Duration::from_millis(2), ..RetryPolicy::default() };
    let client = Client::builder()
        .base_url(&server.base_url())
        .credentials("api_user", "api-pass-CANARY")
        .retry(retry)
        .build()
        .unwrap();
    let _ = client.list_webhooks().await;
    let body = WebhookCreate::new("https://a.example/", [Action::CustomerCreated])
        .with_basic_auth("thulium", "hook-CANARY");
    let _ = client.create_webhook(&body).await;
    let logged = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("thulium request attempt"), "the client does trace: {logged}");
    assert!(
        logged.contains("thulium.call{operation=\"listWebhooks\"")
            || logged.contains("thulium.call{operation=listWebhooks"),
        "{logged}"
    );
    assert!(logged.contains("request_id=\"r1\"") || logged.contains("request_id=r1"), "{logged}");
    for secret in ["api-pass-CANARY", "hook-CANARY", "YXBpX3VzZXI6YXBpLXBhc3MtQ0FOQVJZ"] {
        assert!(!logged.contains(secret), "{secret} in traces: {logged}");
    }
}
