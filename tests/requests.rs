//! What the client sends: every operation's request as it crossed the wire to a
//! loopback server (method, path, query, headers, body), snapshotted.

mod common;

use base64::Engine as _;
use common::capture::{CaptureServer, Reply};
use serde_json::Value;
use thulium_webhooks::{Action, Client, Error, WebhookCreate, config::USER_AGENT};

const CREATED: &str = r#"{"id":5,"actions":["CHAT_CONVERSATION_CREATED"],"subscription_url":"https://example.pl","http_auth_user":"","http_auth_password":""}"#;

/// Checks the headers whose exact value matters, then replaces them for the snapshot.
fn checked(server: &CaptureServer) -> Value {
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "exactly one request is sent");
    let mut captured = requests[0].to_json();
    let headers = captured["headers"].as_object_mut().unwrap();
    let expected =
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("api_user:api_pass"));
    assert_eq!(headers["authorization"], expected.as_str());
    headers.insert("authorization".into(), "[basic api_user:api_pass]".into());
    assert_eq!(headers["user-agent"], USER_AGENT);
    headers.insert("user-agent".into(), "thulium-webhooks/[version]".into());
    assert!(!headers.contains_key("api-version"), "progenitor's api-version header is removed");
    captured
}

#[tokio::test]
async fn list_webhooks_request() {
    let server = CaptureServer::start(vec![Reply::json(200, "[]")]).await;
    server.client().list_webhooks().await.unwrap();
    insta::assert_json_snapshot!(checked(&server));
}

#[tokio::test]
async fn create_webhook_request_documented_example() {
    let server = CaptureServer::start(vec![Reply::json(200, CREATED)]).await;
    let body = WebhookCreate::new("https://example.pl", [Action::ChatConversationCreated]);
    server.client().create_webhook(&body).await.unwrap();
    insta::assert_json_snapshot!(checked(&server));
}

#[tokio::test]
async fn create_webhook_request_with_basic_auth_and_unknown_action() {
    let server = CaptureServer::start(vec![Reply::json(200, CREATED)]).await;
    let body = WebhookCreate::new(
        "https://crm.example.com/hook?src=thulium",
        ["CUSTOMER_CREATED", "CALL_ENDED"],
    )
    .with_basic_auth("thulium", "hook:pässword");
    server.client().create_webhook(&body).await.unwrap();
    // The webhook password is the request's payload: it must arrive exactly as given.
    insta::assert_json_snapshot!(checked(&server));
}

#[tokio::test]
async fn base_url_is_normalised_to_one_api_prefix() {
    let server = CaptureServer::start(vec![Reply::json(200, "[]")]).await;
    let messy = format!("{}//", server.base_url().trim_end_matches("/api").to_owned() + "//api");
    let client =
        Client::builder().base_url(&messy).credentials("api_user", "api_pass").build().unwrap();
    client.list_webhooks().await.unwrap();
    assert_eq!(server.requests()[0].path, "/api/webhooks");
}

#[tokio::test]
async fn invalid_create_bodies_are_not_sent() {
    let server = CaptureServer::start(vec![Reply::json(200, CREATED)]).await;
    let client = server.client();
    let cases = [
        ("actions", WebhookCreate::new("https://example.pl", Vec::<Action>::new())),
        ("subscription_url", WebhookCreate::new("/relative", [Action::CustomerCreated])),
        ("subscription_url", WebhookCreate::new("mailto:x@example.pl", [Action::CustomerCreated])),
        ("subscription_url", WebhookCreate::new("", [Action::CustomerCreated])),
    ];
    for (field, body) in cases {
        match client.create_webhook(&body).await {
            Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected InvalidInput for {field}, got {other:?}"),
        }
    }
    assert!(server.requests().is_empty(), "nothing reached the server");
}
