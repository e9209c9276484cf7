//! Speed, measured against baselines in one run: `cargo bench --bench compare`.
//!
//! 1. The SDK's generated client against a hand-written reqwest + serde client making
//!    the same calls to the same loopback simulator: list with 1, 100 and 10,000
//!    subscriptions, and create. Ratio = SDK throughput / baseline throughput (goal ≥ 0.97).
//! 2. Notification parsing (form and JSON, into typed events that keep every field)
//!    against a baseline that only splits the form into a `HashMap<String, String>`.
//!    Ratio = SDK time / baseline time (goal ≤ 1.0; above 1.5 is a defect).
//!
//! Each pair runs in alternating rounds so that drift on the machine hits both sides.

use std::{
    collections::HashMap,
    hint::black_box,
    time::{Duration, Instant},
};

use serde::{Deserialize, Serialize};
use thulium_webhooks::{
    Action, Client, Notification, RetryPolicy, WebhookCreate, simulator::Simulator,
};

const ROUNDS: u32 = 30;

/// Times of `a` and `b`, run alternately `ROUNDS` times each (which goes first
/// alternates too, so neither always follows the other).
struct Pair {
    a: Vec<Duration>,
    b: Vec<Duration>,
}

impl Pair {
    fn total_a(&self) -> Duration {
        self.a.iter().sum()
    }

    fn total_b(&self) -> Duration {
        self.b.iter().sum()
    }

    /// The median over rounds of `a`'s time / `b`'s time: robust to a burst of noise
    /// from the rest of a small machine during one round.
    fn median_ratio(&self) -> f64 {
        let mut ratios: Vec<f64> =
            self.a.iter().zip(&self.b).map(|(a, b)| a.as_secs_f64() / b.as_secs_f64()).collect();
        ratios.sort_by(f64::total_cmp);
        let middle = ratios.len() / 2;
        if ratios.len().is_multiple_of(2) {
            (ratios[middle - 1] + ratios[middle]) / 2.0
        } else {
            ratios[middle]
        }
    }
}

async fn alternate<A, B, FA, FB>(mut a: A, mut b: B) -> Pair
where
    A: FnMut() -> FA,
    B: FnMut() -> FB,
    FA: Future<Output = ()>,
    FB: Future<Output = ()>,
{
    a().await; // warm-up
    b().await;
    let mut pair = Pair { a: Vec::new(), b: Vec::new() };
    for round in 0..ROUNDS {
        if !round.is_multiple_of(2) {
            let started = Instant::now();
            b().await;
            pair.b.push(started.elapsed());
        }
        let started = Instant::now();
        a().await;
        pair.a.push(started.elapsed());
        if round.is_multiple_of(2) {
            let started = Instant::now();
            b().await;
            pair.b.push(started.elapsed());
        }
    }
    pair
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct BaselineWebhook {
    id: i64,
    actions: Vec<String>,
    subscription_url: String,
    http_auth_user: Option<String>,
    http_auth_password: Option<String>,
}

#[derive(Serialize)]
struct BaselineCreate<'a> {
    actions: &'a [&'a str],
    subscription_url: &'a str,
}

struct Baseline {
    http: reqwest::Client,
    url: String,
}

impl Baseline {
    fn new(base_url: &str) -> Self {
        let http =
            reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().unwrap();
        Baseline { http, url: format!("{base_url}/webhooks") }
    }

    async fn list(&self) -> Vec<BaselineWebhook> {
        Self::send(self.http.get(&self.url).header(reqwest::header::ACCEPT, "application/json"))
            .await
    }

    async fn create(&self, url: &str) -> BaselineWebhook {
        let body = BaselineCreate { actions: &["CUSTOMER_CREATED"], subscription_url: url };
        Self::send(self.http.post(&self.url).json(&body)).await
    }

    /// What a hand-written client does for every call: auth, send, status, JSON.
    async fn send<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> T {
        let response = request.basic_auth("api_user", Some("api_pass")).send().await.unwrap();
        response.error_for_status().unwrap().json().await.unwrap()
    }
}

fn sdk(simulator: &Simulator) -> Client {
    Client::builder()
        .base_url(&simulator.base_url())
        .credentials("api_user", "api_pass")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

async fn client_benchmarks() {
    println!("## Generated client vs hand-written reqwest + serde (loopback simulator)\n");
    println!(
        "| call | calls per side | SDK calls/s | baseline calls/s | throughput ratio SDK / baseline (median of rounds) |"
    );
    println!("|---|---|---|---|---|");
    for (subscriptions, calls) in [(1usize, 100u32), (100, 50), (10_000, 2)] {
        let simulator = Simulator::start().await.unwrap();
        let client = sdk(&simulator);
        for i in 0..subscriptions {
            let body =
                WebhookCreate::new(format!("https://example.pl/{i}"), [Action::CustomerCreated]);
            client.create_webhook(&body).await.unwrap();
        }
        let baseline = Baseline::new(&simulator.base_url());
        let pair = alternate(
            || async {
                for _ in 0..calls {
                    assert_eq!(
                        black_box(client.list_webhooks().await.unwrap()).len(),
                        subscriptions
                    );
                }
            },
            || async {
                for _ in 0..calls {
                    assert_eq!(black_box(baseline.list().await).len(), subscriptions);
                }
            },
        )
        .await;
        report(&format!("list, {subscriptions} subscriptions"), calls, &pair);
    }
    let simulator = Simulator::start().await.unwrap();
    let client = sdk(&simulator);
    let baseline = Baseline::new(&simulator.base_url());
    let calls = 100;
    let pair = alternate(
        || async {
            for _ in 0..calls {
                let body = WebhookCreate::new("https://example.pl/hook", [Action::CustomerCreated]);
                black_box(client.create_webhook(&body).await.unwrap());
            }
        },
        || async {
            for _ in 0..calls {
                black_box(baseline.create("https://example.pl/hook").await);
            }
        },
    )
    .await;
    report("create", calls, &pair);
    println!();
}

fn report(what: &str, calls: u32, pair: &Pair) {
    let total = f64::from(calls * ROUNDS);
    let sdk_rate = total / pair.total_a().as_secs_f64();
    let base_rate = total / pair.total_b().as_secs_f64();
    // Throughput ratio = baseline time / SDK time, per round.
    println!(
        "| {what} | {} | {sdk_rate:.0} | {base_rate:.0} | {:.3} |",
        calls * ROUNDS,
        1.0 / pair.median_ratio()
    );
}

async fn parsing_benchmarks() {
    const FORM: &[u8] =
        b"action=CUSTOMER_UPDATED&customer_id=682&company_id=null&date=2026-09-04+12%3A19%3A43";
    const JSON: &[u8] = br#"{"action":"CUSTOMER_UPDATED","customer_id":"682","company_id":null,"date":"2026-09-04 12:19:43"}"#;
    const CHAT: &[u8] = b"action=CHAT_CONVERSATION_CREATED&conversation_id=3f2b7c1e-9a4d-4e8b-b6f1-0c5d2e7a9b14&client_name=John+Smith&client_email=john.smith%40example.com&date=2016-04-20+09%3A46%3A24&chat_queue_id=3";
    const ITERATIONS: u32 = 20_000;
    fn baseline(body: &[u8]) -> HashMap<String, String> {
        form_urlencoded::parse(body).into_owned().collect()
    }
    println!("## Notification parsing vs splitting the form into a HashMap<String, String>\n");
    println!(
        "| input | parses per side | SDK ns/parse | baseline ns/parse | time ratio SDK / baseline (median of rounds) |"
    );
    println!("|---|---|---|---|---|");
    for (name, body, content_type, baseline_body) in [
        (
            "form, CUSTOMER_UPDATED (production example)",
            FORM,
            "application/x-www-form-urlencoded",
            FORM,
        ),
        ("JSON, CUSTOMER_UPDATED", JSON, "application/json", FORM),
        ("form, CHAT_CONVERSATION_CREATED", CHAT, "application/x-www-form-urlencoded", CHAT),
    ] {
        let pair = alternate(
            || async {
                for _ in 0..ITERATIONS {
                    black_box(Notification::parse(Some(content_type), black_box(body)).unwrap());
                }
            },
            || async {
                for _ in 0..ITERATIONS {
                    black_box(baseline(black_box(baseline_body)));
                }
            },
        )
        .await;
        let per = |t: Duration| t.as_nanos() as f64 / f64::from(ITERATIONS * ROUNDS);
        println!(
            "| {name} | {} | {:.0} | {:.0} | {:.2} |",
            ITERATIONS * ROUNDS,
            per(pair.total_a()),
            per(pair.total_b()),
            pair.median_ratio()
        );
    }
    println!();
}

fn main() {
    // One thread for the client and the simulator: no cross-thread wake-ups, so both
    // sides see the same, steadier conditions on a small machine.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        parsing_benchmarks().await;
        client_benchmarks().await;
    });
    let codegen = include_str!(concat!(env!("OUT_DIR"), "/codegen_time.txt"));
    println!(
        "## Build\n\nbuild.rs code generation (parse openapi.yaml, progenitor, prettyplease): {}",
        codegen.trim()
    );
}
