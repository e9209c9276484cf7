//! What the client makes of Thulium's answers: the documented examples and the ways real
//! answers differ from them (escaped slashes, unknown actions and fields, credentials
//! that are `""`, `null` or missing, 201 instead of 200).

mod common;

use common::capture::{CaptureServer, Reply};
use thulium_webhooks::{Action, Webhook, WebhookCreate};

async fn list(body: &str) -> Vec<Webhook> {
    let server = CaptureServer::start(vec![Reply::json(200, body)]).await;
    server.client().list_webhooks().await.unwrap()
}

#[tokio::test]
async fn documented_list_example() {
    let webhooks = list(
        r#"[{"id":1,"actions":["CHAT_AGENT_ASSIGNED"],"subscription_url":"https://example.com/","http_auth_user":"","http_auth_password":""},
            {"id":2,"actions":["CHAT_CONVERSATION_CREATED"],"subscription_url":"https://example.com/","http_auth_user":"","http_auth_password":""}]"#,
    )
    .await;
    insta::assert_debug_snapshot!(webhooks);
}

#[tokio::test]
async fn documented_create_example_with_php_escaped_slashes() {
    // Thulium is PHP: `/` may arrive escaped as `\/`, which is valid JSON for the same string.
    let body = r#"{"id":5,"actions":["CHAT_CONVERSATION_CREATED"],"subscription_url":"https:\/\/example.pl","http_auth_user":"","http_auth_password":""}"#;
    let server = CaptureServer::start(vec![Reply::json(200, body)]).await;
    let created = server
        .client()
        .create_webhook(&WebhookCreate::new(
            "https://example.pl",
            [Action::ChatConversationCreated],
        ))
        .await
        .unwrap();
    assert_eq!(created.subscription_url, "https://example.pl");
    insta::assert_debug_snapshot!(created);
}

#[tokio::test]
async fn created_with_201_is_success_too() {
    let body = r#"{"id":6,"actions":["CUSTOMER_CREATED"],"subscription_url":"https://example.pl"}"#;
    let server = CaptureServer::start(vec![Reply::json(201, body)]).await;
    let created = server
        .client()
        .create_webhook(&WebhookCreate::new("https://example.pl", [Action::CustomerCreated]))
        .await
        .unwrap();
    assert_eq!(created.id, 6);
}

#[tokio::test]
async fn unknown_actions_extra_fields_and_every_form_of_unset_credentials() {
    let webhooks = list(
        r#"[{"id":1,"actions":["CALL_ENDED","CUSTOMER_CREATED"],"subscription_url":"https://a.example/","http_auth_user":"","http_auth_password":"","created_at":"2026-01-01 10:00:00","active":true},
            {"id":2,"actions":["AGENT_PAUSED"],"subscription_url":"https://b.example/","http_auth_user":null,"http_auth_password":null},
            {"id":3,"actions":["TICKET_CREATED"],"subscription_url":"https://c.example/"},
            {"id":4,"actions":["RECORDING_READY"],"subscription_url":"https://d.example/","http_auth_user":"thulium","http_auth_password":"s3cr3t-echoed"}]"#,
    )
    .await;
    assert_eq!(webhooks[0].actions[0], Action::Unknown("CALL_ENDED".into()));
    for unset in &webhooks[..3] {
        assert_eq!(unset.auth_user(), None);
        assert!(!unset.has_password());
    }
    assert_eq!(webhooks[3].auth_user(), Some("thulium"));
    assert!(webhooks[3].has_password());
    let debug = format!("{webhooks:#?}");
    assert!(!debug.contains("s3cr3t-echoed"), "Debug shows a webhook password: {debug}");
    insta::assert_debug_snapshot!(webhooks);
}

#[tokio::test]
async fn an_unknown_action_is_sent_back_unchanged() {
    let listed = r#"[{"id":1,"actions":["CALL_ENDED"],"subscription_url":"https://a.example/"}]"#;
    let created = r#"{"id":2,"actions":["CALL_ENDED"],"subscription_url":"https://b.example/"}"#;
    let server =
        CaptureServer::start(vec![Reply::json(200, listed), Reply::json(200, created)]).await;
    let client = server.client();
    let existing = client.list_webhooks().await.unwrap();
    let copy = WebhookCreate::new("https://b.example/", existing[0].actions.clone());
    client.create_webhook(&copy).await.unwrap();
    let sent: serde_json::Value = serde_json::from_slice(&server.requests()[1].body).unwrap();
    assert_eq!(sent["actions"], serde_json::json!(["CALL_ENDED"]));
}

#[tokio::test]
async fn ensure_finds_an_existing_match_and_creates_nothing() {
    let listed = r#"[{"id":7,"actions":["CUSTOMER_UPDATED","CUSTOMER_CREATED"],"subscription_url":"https://example.pl/"}]"#;
    let server = CaptureServer::start(vec![Reply::json(200, listed)]).await;
    let wanted = WebhookCreate::new(
        "https://example.pl",
        [Action::CustomerCreated, Action::CustomerUpdated],
    );
    let ensured = server.client().ensure_webhook(&wanted).await.unwrap();
    assert!(!ensured.created());
    assert_eq!(ensured.webhook().id, 7);
    assert_eq!(server.requests().len(), 1, "only the list was sent");
}
