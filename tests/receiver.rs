//! Receiving notifications: Basic auth, body limits and malformed bodies, with the
//! framework-free `Receiver`, the axum `handler` and the `Listener`; and delivery from the
//! simulator to a receiver, end to end.

mod common;

use std::time::Duration;

use common::capture::{CaptureServer, Reply};
use thulium_webhooks::{
    Action, Event, WebhookCreate,
    notification::Id,
    receiver::{Listener, Receiver, handler},
    simulator::{self, Simulator},
};
use tokio::sync::mpsc;

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
const PRODUCTION: &[u8] =
    b"action=CUSTOMER_UPDATED&customer_id=682&company_id=null&date=2026-09-04+12%3A19%3A43";

fn basic(user: &str, password: &str) -> Vec<u8> {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
    .into_bytes()
}

#[test]
fn framework_free_receiver_checks_auth_size_and_body() {
    let receiver = Receiver::new().with_basic_auth("thulium", "hook-pass");
    assert!(receiver.receive(Some(&basic("thulium", "hook-pass")), FORM, PRODUCTION).is_ok());
    for wrong in [
        basic("thulium", "hook-pas"),
        basic("thulium", "hook-pass2"),
        basic("other", "hook-pass"),
        b"Bearer x".to_vec(),
    ] {
        assert_eq!(receiver.receive(Some(&wrong), FORM, PRODUCTION).unwrap_err().status(), 401);
    }
    assert_eq!(receiver.receive(None, FORM, PRODUCTION).unwrap_err().status(), 401);

    let open = Receiver::new();
    assert!(open.receive(None, FORM, PRODUCTION).is_ok(), "no credentials configured: none needed");
    assert!(
        open.receive(None, FORM, b"action=SOMETHING_NEW&x=1").is_ok(),
        "unknown actions are accepted"
    );
    let malformed = open.receive(None, FORM, b"action=CUSTOMER_UPDATED&customer_id=x").unwrap_err();
    assert_eq!(
        (malformed.status(), malformed.parse_error().and_then(|e| e.field_name())),
        (400, Some("customer_id"))
    );

    let small = Receiver::new().max_body_bytes(32);
    assert_eq!(small.receive(None, FORM, PRODUCTION).unwrap_err().status(), 413);
    assert!(!format!("{receiver:?}").contains("hook-pass"), "Debug hides the password");
}

#[tokio::test]
async fn axum_handler_answers_by_status() {
    let (sent, mut got) = mpsc::unbounded_channel();
    let receiver = Receiver::new().with_basic_auth("thulium", "hook-pass").max_body_bytes(1024);
    let app = axum::Router::new().route(
        "/thulium",
        handler(receiver, move |notification| {
            let sent = sent.clone();
            async move {
                sent.send(notification).unwrap();
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/thulium", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let post = |body: Vec<u8>, auth: Option<(&str, &str)>| {
        let mut request =
            http.post(&url).header("content-type", "application/x-www-form-urlencoded").body(body);
        if let Some((user, password)) = auth {
            request = request.basic_auth(user, Some(password));
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let good = Some(("thulium", "hook-pass"));
    assert_eq!(post(PRODUCTION.to_vec(), good).await, (200, "ok".to_owned()));
    assert_eq!(post(b"action=NEW_THING&a=1".to_vec(), good).await.0, 200);
    assert_eq!(post(PRODUCTION.to_vec(), Some(("thulium", "nope"))).await.0, 401);
    assert_eq!(post(PRODUCTION.to_vec(), None).await.0, 401);
    assert_eq!(post(vec![b'a'; 2048], good).await.0, 413);
    let (status, message) = post(b"action=CUSTOMER_CREATED".to_vec(), good).await;
    assert_eq!((status, message.as_str()), (400, "field customer_id: missing field `customer_id`"));

    assert_eq!(got.recv().await.unwrap().action(), &Action::CustomerUpdated);
    assert_eq!(got.recv().await.unwrap().action(), &Action::Unknown("NEW_THING".into()));
    assert!(got.try_recv().is_err(), "refused requests never reach the callback");
}

#[tokio::test]
async fn simulator_delivers_to_a_receiver_with_basic_auth() {
    let simulator = Simulator::start().await.unwrap();
    let client = simulator.client().unwrap();
    let mut listener =
        Listener::start(Receiver::new().with_basic_auth("thulium", "hook-pass"), 0).await.unwrap();
    let subscription =
        WebhookCreate::new(listener.url(), [Action::CustomerUpdated, Action::CustomerCreated])
            .with_basic_auth("thulium", "hook-pass");
    let webhook = client.create_webhook(&subscription).await.unwrap();
    // A subscription to another action is not notified.
    client
        .create_webhook(&WebhookCreate::new(listener.url(), [Action::TicketCreated]))
        .await
        .unwrap();

    let deliveries = simulator
        .trigger(Action::CustomerUpdated, [("customer_id", "682"), ("company_id", "null")])
        .await;
    assert_eq!(deliveries.len(), 1);
    assert!(deliveries[0].delivered(), "{deliveries:?}");
    assert_eq!(webhook.id, deliveries[0].webhook_id);

    let notification = listener.next().await.unwrap().unwrap();
    let Event::CustomerUpdated(event) = notification.event() else { panic!("{notification:?}") };
    assert_eq!((event.customer_id, event.company_id), (Id(682), None));
    assert_eq!(
        event.date.as_ref().unwrap().as_str(),
        "2026-09-04 12:19:43",
        "the spec's example date"
    );
    assert_eq!(simulator.deliveries(), deliveries);
}

#[tokio::test]
async fn wrong_subscription_credentials_are_refused_and_recorded() {
    let simulator = Simulator::start().await.unwrap();
    let mut listener =
        Listener::start(Receiver::new().with_basic_auth("thulium", "right"), 0).await.unwrap();
    let subscription = WebhookCreate::new(listener.url(), [Action::TicketCreated])
        .with_basic_auth("thulium", "wrong");
    simulator.client().unwrap().create_webhook(&subscription).await.unwrap();
    let deliveries = simulator.trigger(Action::TicketCreated, Vec::<(String, String)>::new()).await;
    assert_eq!(deliveries[0].status, Some(401));
    assert!(!deliveries[0].delivered());
    assert_eq!(listener.next().await.unwrap().unwrap_err().status(), 401);
}

#[tokio::test]
async fn trigger_over_http_from_another_process() {
    let simulator = Simulator::start().await.unwrap();
    let client = simulator.client().unwrap();
    let mut listener = Listener::start(Receiver::new(), 0).await.unwrap();
    client.create_webhook(&WebhookCreate::new(listener.url(), ["CALL_ENDED"])).await.unwrap();

    let overrides = thulium_webhooks::notification::Fields::new([
        ("duration", "35"),
        ("connection_id", "1416225570.340"),
    ]);
    let deliveries =
        simulator::trigger_remote(&client, &Action::from_name("CALL_ENDED"), &overrides)
            .await
            .unwrap();
    assert!(deliveries[0].delivered(), "{deliveries:?}");
    let notification = listener.next().await.unwrap().unwrap();
    assert!(matches!(notification.event(), Event::Unknown(_)));
    assert_eq!(notification.fields().get("connection_id"), Some("1416225570.340"));
    assert_eq!(simulator::deliveries_remote(&client).await.unwrap(), deliveries);
}

#[tokio::test]
async fn failed_deliveries_are_recorded_not_fatal() {
    let silent = CaptureServer::start(vec![Reply::Silence]).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let simulator =
        Simulator::builder().delivery_timeout(Duration::from_millis(300)).start().await.unwrap();
    let client = simulator.client().unwrap();
    for url in [silent.base_url(), closed_url, "https://example.com/hook".to_owned()] {
        client.create_webhook(&WebhookCreate::new(url, [Action::RecordingReady])).await.unwrap();
    }
    let deliveries =
        simulator.trigger(Action::RecordingReady, Vec::<(String, String)>::new()).await;
    let errors: Vec<&str> = deliveries.iter().map(|d| d.error.as_deref().unwrap_or("-")).collect();
    assert_eq!(errors[0], "timed out");
    assert!(errors[1].starts_with("cannot connect"), "{}", errors[1]);
    assert!(
        errors[2].starts_with("not sent"),
        "nothing leaves the machine by default: {}",
        errors[2]
    );
    assert!(deliveries.iter().all(|d| d.status.is_none()));
    let sent = &silent.requests()[0];
    assert_eq!(sent.headers["content-type"], "application/x-www-form-urlencoded");
    assert!(
        !sent.headers.contains_key("authorization"),
        "no credentials on the subscription: none sent"
    );
}

/// A broken body is a 400 (unreadable), not a 413 (too large), at the receiver and at
/// the simulator alike.
#[tokio::test]
async fn broken_bodies_are_400_not_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    async fn status_of_broken_chunked_post(addr: std::net::SocketAddr, path: &str) -> String {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dTpw\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 64];
        let n = stream.read(&mut answer).await.unwrap();
        String::from_utf8_lossy(&answer[..n]).lines().next().unwrap_or_default().to_owned()
    }
    let mut listener = Listener::start(Receiver::new(), 0).await.unwrap();
    assert!(
        status_of_broken_chunked_post(listener.addr(), "/hook").await.starts_with("HTTP/1.1 400")
    );
    assert_eq!(listener.next().await.unwrap().unwrap_err().status(), 400);
    let simulator = Simulator::start().await.unwrap();
    assert!(
        status_of_broken_chunked_post(simulator.addr(), "/api/webhooks")
            .await
            .starts_with("HTTP/1.1 400")
    );
}
