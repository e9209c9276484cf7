//! Load check of the simulator and the receiver, on 127.0.0.1 only, bounded in count.
//!
//! `cargo run --release --example load [NOTIFICATIONS] [REQUESTS]`
//!
//! 1. The simulator delivers NOTIFICATIONS (default 20,000) `CUSTOMER_UPDATED` events to a
//!    `Listener`, 64 triggers in flight at a time; every one must arrive exactly once,
//!    with its own `customer_id`, parsed into the typed event.
//! 2. 64 concurrent clients send REQUESTS (default 10,000) list and create calls to the
//!    simulator; none may fail.
//!
//! Prints throughput figures; exits non-zero on any loss, duplicate or error.

use std::{collections::HashSet, sync::Arc, time::Instant};

use thulium_webhooks::{
    Action, Event, RetryPolicy, WebhookCreate,
    receiver::{Listener, Receiver},
    simulator::Simulator,
};
use tokio::sync::Semaphore;

const CONCURRENCY: usize = 64;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let notifications: u64 = args.next().map_or(Ok(20_000), |a| a.parse())?;
    let requests: u64 = args.next().map_or(Ok(10_000), |a| a.parse())?;

    // 1. deliveries
    let simulator = Arc::new(Simulator::start().await?);
    let mut listener =
        Listener::start(Receiver::new().with_basic_auth("thulium", "load-pass"), 0).await?;
    let subscription = WebhookCreate::new(listener.url(), [Action::CustomerUpdated])
        .with_basic_auth("thulium", "load-pass");
    simulator.client()?.create_webhook(&subscription).await?;

    let started = Instant::now();
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..notifications {
        let permit = permits.clone().acquire_owned().await?;
        let simulator = simulator.clone();
        tasks.spawn(async move {
            let deliveries =
                simulator.trigger(Action::CustomerUpdated, [("customer_id", i.to_string())]).await;
            drop(permit);
            deliveries.len() == 1 && deliveries[0].delivered()
        });
    }
    let delivered = tasks.join_all().await.into_iter().filter(|ok| *ok).count() as u64;
    let mut seen = HashSet::new();
    let mut misparsed = 0;
    for _ in 0..delivered {
        match listener.next().await {
            Some(Ok(notification)) => match notification.event() {
                Event::CustomerUpdated(event) => {
                    seen.insert(event.customer_id.get());
                }
                _ => misparsed += 1,
            },
            _ => misparsed += 1,
        }
    }
    let elapsed = started.elapsed();
    let duplicates = delivered - seen.len() as u64 - misparsed;
    println!(
        "deliveries: {notifications} triggered, {delivered} delivered (2xx), {} distinct received, {misparsed} misparsed, \
         {duplicates} duplicated, in {:.2} s = {:.0} notifications/s at concurrency {CONCURRENCY}",
        seen.len(),
        elapsed.as_secs_f64(),
        delivered as f64 / elapsed.as_secs_f64()
    );
    let deliveries_ok =
        delivered == notifications && seen.len() as u64 == notifications && misparsed == 0;

    // 2. API requests
    let client = simulator.client()?;
    let client = thulium_webhooks::Client::builder()
        .base_url(client.base_url().as_str())
        .credentials("api_user", "api_pass")
        .retry(RetryPolicy::none())
        .build()?;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..requests {
        let permit = permits.clone().acquire_owned().await?;
        let client = client.clone();
        tasks.spawn(async move {
            let ok = if i % 2 == 0 {
                client.list_webhooks().await.is_ok()
            } else {
                let body = WebhookCreate::new(
                    format!("http://127.0.0.1:9/hook/{i}"),
                    [Action::TicketCreated],
                );
                client.create_webhook(&body).await.is_ok()
            };
            drop(permit);
            ok
        });
    }
    let succeeded = tasks.join_all().await.into_iter().filter(|ok| *ok).count() as u64;
    let elapsed = started.elapsed();
    println!(
        "api: {requests} requests (half list, half create) from {CONCURRENCY} concurrent clients, {} failed, \
         in {:.2} s = {:.0} requests/s",
        requests - succeeded,
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64()
    );
    if deliveries_ok && succeeded == requests {
        Ok(())
    } else {
        Err("losses or errors, see above".into())
    }
}
