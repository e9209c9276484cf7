//! The simulator against the spec: every answer it gives, success or error, is checked
//! against the schema `openapi.yaml` documents for that status, and its validation
//! names the field that is wrong.

mod common;

use common::spec::Spec;
use serde_json::{Value, json};
use thulium_webhooks::{
    Action, Error, WebhookCreate,
    simulator::{MAX_BODY_BYTES, Simulator},
};

/// A raw request to the simulator (no SDK in between), checked against the spec.
async fn send(
    simulator: &Simulator,
    method: &str,
    auth: Option<(&str, &str)>,
    body: Option<&[u8]>,
) -> (u16, Value) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{}/webhooks", simulator.base_url());
    let mut request = match method {
        "GET" => http.get(&url),
        "POST" => http.post(&url),
        other => http.request(other.parse().unwrap(), &url),
    };
    if let Some((user, password)) = auth {
        request = request.basic_auth(user, Some(password));
    }
    if let Some(body) = body {
        request = request.body(body.to_vec());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "every answer of the simulator is JSON"
    );
    let body: Value = response.json().await.unwrap();
    if matches!(method, "GET" | "POST") {
        Spec::load().assert_response(method, "/webhooks", status, &body);
    }
    (status, body)
}

const AUTH: Option<(&str, &str)> = Some(("api_user", "api_pass"));

#[tokio::test]
async fn documented_flow_matches_the_spec() {
    let simulator = Simulator::start().await.unwrap();
    let (status, empty) = send(&simulator, "GET", AUTH, None).await;
    assert_eq!((status, empty), (200, json!([])));

    // The seed request, byte for byte, PHP-escaped slashes included.
    let seed =
        br#"{"actions":["CHAT_CONVERSATION_CREATED"],"subscription_url":"https:\/\/example.pl"}"#;
    let (status, created) = send(&simulator, "POST", AUTH, Some(seed)).await;
    assert_eq!(status, 200);
    assert_eq!(
        created,
        json!({"id":1,"actions":["CHAT_CONVERSATION_CREATED"],"subscription_url":"https://example.pl","http_auth_user":"","http_auth_password":""}),
        "the documented response"
    );

    let second = br#"{"actions":["CUSTOMER_CREATED","CUSTOMER_UPDATED"],"subscription_url":"https://crm.example.com/hook","http_auth_user":"thulium","http_auth_password":"secret"}"#;
    let (_, created) = send(&simulator, "POST", AUTH, Some(second)).await;
    assert_eq!(created["id"], 2, "ids increase");
    assert_eq!(created["http_auth_user"], "thulium");

    let (_, listed) = send(&simulator, "GET", AUTH, None).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(simulator.webhooks().len(), 2);
}

#[tokio::test]
async fn authentication_is_required() {
    let simulator = Simulator::start().await.unwrap();
    let (status, body) = send(&simulator, "GET", None, None).await;
    assert_eq!(status, 401);
    assert!(body["request_id"].as_str().is_some_and(|id| id.len() == 13));
    let (status, _) = send(&simulator, "GET", Some(("", "x")), None).await;
    assert_eq!(status, 401, "an empty user is refused");

    let strict = Simulator::builder().credentials("api_user", "right").start().await.unwrap();
    assert_eq!(send(&strict, "GET", Some(("api_user", "wrong")), None).await.0, 401);
    assert_eq!(send(&strict, "GET", Some(("api_user", "right")), None).await.0, 200);
    assert_eq!(send(&strict, "POST", Some(("other", "right")), Some(b"{}")).await.0, 401);
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field() {
    let simulator = Simulator::start().await.unwrap();
    let cases: &[&[u8]] = &[
        br#"{"subscription_url":"https://example.pl"}"#,
        br#"{"actions":[],"subscription_url":"https://example.pl"}"#,
        br#"{"actions":"CUSTOMER_CREATED","subscription_url":"https://example.pl"}"#,
        br#"{"actions":["CUSTOMER_CREATED",""],"subscription_url":"https://example.pl"}"#,
        br#"{"actions":["CUSTOMER_CREATED"]}"#,
        br#"{"actions":["CUSTOMER_CREATED"],"subscription_url":"/hook"}"#,
        br#"{"actions":["CUSTOMER_CREATED"],"subscription_url":"ftp://example.pl"}"#,
        br#"{"actions":["CUSTOMER_CREATED"],"subscription_url":"https://example.pl","http_auth_user":5}"#,
        br#"{"actions":["CUSTOMER_CREATED"],"subscription_url":"#,
        br#"[]"#,
    ];
    let mut answers = Vec::new();
    for body in cases {
        let (status, answer) = send(&simulator, "POST", AUTH, Some(body)).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(body));
        let messages: Vec<&str> = answer["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect();
        answers.push(json!({ "request": String::from_utf8_lossy(body), "errors": messages }));
    }
    assert!(simulator.webhooks().is_empty(), "nothing bad was stored");
    insta::assert_json_snapshot!(answers);
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_the_error_body() {
    let simulator = Simulator::start().await.unwrap();
    let huge = vec![b' '; MAX_BODY_BYTES + 1];
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = http
        .post(format!("{}/webhooks", simulator.base_url()))
        .basic_auth("api_user", Some("api_pass"))
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let body: Value = response.json().await.unwrap();
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("larger than"));
}

#[tokio::test]
async fn unknown_paths_and_methods_get_the_error_body() {
    let simulator = Simulator::start().await.unwrap();
    let (status, body) = send(&simulator, "DELETE", AUTH, None).await;
    assert_eq!(status, 405);
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("DELETE"));
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = http.get(format!("{}/webhooks/1", simulator.base_url())).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test]
async fn the_sdk_round_trips_through_the_simulator() {
    let simulator = Simulator::builder().credentials("api_user", "hunter2").start().await.unwrap();
    let client = simulator.client().unwrap();
    let body = WebhookCreate::new("https://example.pl/hook", ["CALL_ENDED", "CUSTOMER_CREATED"])
        .with_basic_auth("thulium", "hook-pass");
    let created = client.create_webhook(&body).await.unwrap();
    assert_eq!(
        created.actions,
        vec![Action::Unknown("CALL_ENDED".into()), Action::CustomerCreated]
    );
    assert_eq!(created.http_auth_password.as_ref().map(|p| p.expose()), Some("hook-pass"));
    let ensured = client.ensure_webhook(&body).await.unwrap();
    assert!(!ensured.created());
    assert_eq!(client.list_webhooks().await.unwrap(), vec![created]);

    let wrong = thulium_webhooks::Client::builder()
        .base_url(&simulator.base_url())
        .credentials("api_user", "nope")
        .build()
        .unwrap();
    let error = wrong.list_webhooks().await.unwrap_err();
    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(error.request_id().is_some());
}
