//! What the CLI prints: a readable table by default, JSON with `--json`.
//! Passwords are never printed: webhooks go through `Webhook::to_redacted_json` and the
//! text shows only whether a password is set.

use std::io::Write as _;

use serde_json::{Value, json};
use thulium_webhooks::{
    Action, Ensured, Event, Notification, Webhook, receiver::Rejection, simulator::Delivery,
};

/// Writes to stdout; a closed pipe (`| head`) ends the program quietly instead of with a
/// panic, as it does for other command-line tools.
macro_rules! out {
    ($($arg:tt)*) => {
        write_stdout(&format!($($arg)*))
    };
}

macro_rules! outln {
    () => { write_stdout("\n") };
    ($($arg:tt)*) => { write_stdout(&(format!($($arg)*) + "\n")) };
}

fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        std::process::exit(0);
    }
}

pub fn webhooks(webhooks: &[Webhook], json: bool) {
    if json {
        print_json(&webhooks_value(webhooks));
    } else {
        out!("{}", webhooks_text(webhooks));
    }
}

pub fn webhooks_value(webhooks: &[Webhook]) -> Value {
    Value::Array(webhooks.iter().map(Webhook::to_redacted_json).collect())
}

pub fn webhooks_text(webhooks: &[Webhook]) -> String {
    if webhooks.is_empty() {
        return "no subscriptions\n".to_owned();
    }
    let rows: Vec<[String; 4]> = webhooks
        .iter()
        .map(|w| {
            [w.id.to_string(), action_list(&w.actions), w.subscription_url.clone(), auth(w)]
                .map(|cell| printable(&cell))
        })
        .collect();
    let header = ["ID", "ACTIONS", "SUBSCRIPTION URL", "NOTIFICATION AUTH"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        // Padded by hand: `{:width$}` panics on widths over 65,535.
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.chars().count())))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

pub fn created(webhook: &Webhook, json: bool) {
    if json {
        print_json(&webhook.to_redacted_json());
    } else {
        out!("{}", created_text(webhook));
    }
}

pub fn created_text(webhook: &Webhook) -> String {
    format!("created subscription {}\n", describe(webhook))
}

pub fn ensured(ensured: &Ensured, json: bool) {
    if json {
        print_json(&ensured_value(ensured));
    } else {
        out!("{}", ensured_text(ensured));
    }
}

pub fn ensured_value(ensured: &Ensured) -> Value {
    let outcome = if ensured.created() { "created" } else { "existing" };
    json!({ "outcome": outcome, "webhook": ensured.webhook().to_redacted_json() })
}

pub fn ensured_text(ensured: &Ensured) -> String {
    match ensured {
        Ensured::Existing(w) => format!(
            "exists: subscription {} (nothing created; passwords are not compared)\n",
            describe(w)
        ),
        Ensured::Created(w) => format!("created subscription {}\n", describe(w)),
    }
}

pub fn known_actions(json: bool) {
    if json {
        let list: Vec<Value> = Action::KNOWN
            .iter()
            .map(|a| json!({ "action": a.as_str(), "description": a.description() }))
            .collect();
        print_json(&Value::Array(list));
        return;
    }
    let width = Action::KNOWN.iter().map(|a| a.as_str().len()).max().unwrap_or(0);
    for action in Action::KNOWN {
        outln!("{:width$}  {}", action.as_str(), action.description().unwrap_or_default());
    }
    outln!("\nThulium has more actions than are public; any other name is sent as given.");
}

pub fn simulator_started(base_url: &str, required_user: Option<&str>, json: bool) {
    if json {
        print_json_line(&json!({ "base_url": base_url, "required_user": required_user }));
        return;
    }
    outln!("Thulium webhooks simulator listening on {base_url}");
    match required_user {
        Some(user) => outln!(
            "It accepts only the API user {user}, with the password from --require-password-env (empty without it)."
        ),
        None => outln!("It accepts any HTTP Basic credentials with a user name."),
    }
    let user = required_user.unwrap_or("api_user");
    let password = if required_user.is_some() { "<the password>" } else { "api_pass" };
    outln!(
        "Try: export THULIUM_BASE_URL={base_url} THULIUM_API_USER={user} THULIUM_API_PASSWORD={password}"
    );
    outln!("     thulium-webhooks list");
    outln!("Stop it with Ctrl-C.");
}

/// A completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) {
    let mut command = <crate::Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "thulium-webhooks", &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if shell == clap_complete::Shell::Bash {
        // clap_complete writes the case labels of a hyphenated binary's subcommands as
        // `thulium__subcmd__webhooks__…` but matches `thulium__webhooks__…`, so nothing
        // completes after a subcommand (clap-rs/clap#6421). Make the labels agree.
        script = script.replace("thulium__subcmd__webhooks", "thulium__webhooks");
    }
    out!("{script}");
}

pub fn listening(url: &str, user: Option<&str>, json: bool) {
    if json {
        print_json_line(&json!({ "listening": url, "required_user": user }));
        return;
    }
    outln!("Listening for notifications on {url} (any path, POST)");
    match user {
        Some(user) => outln!("Basic auth required: user {user} with the password you gave."),
        None => outln!("No credentials required."),
    }
    outln!("Stop with Ctrl-C.");
}

pub fn notification(notification: &Notification, json: bool) {
    if json {
        print_json_line(&notification_value(notification));
    } else {
        out!("{}", notification_text(notification));
    }
}

pub fn notification_value(notification: &Notification) -> Value {
    let fields: Vec<Value> = notification.fields().iter().map(|(k, v)| json!([k, v])).collect();
    json!({
        "action": notification.action().as_str(),
        "known": !matches!(notification.event(), Event::Unknown(_)),
        "event": notification.event(),
        "fields": fields,
    })
}

pub fn notification_text(notification: &Notification) -> String {
    format!("{notification}\n")
}

pub fn rejection(rejection: &Rejection, json: bool) {
    if json {
        print_json_line(
            &json!({ "rejected": rejection.status(), "reason": rejection.to_string() }),
        );
    } else {
        eprintln!("rejected: {rejection}");
    }
}

pub fn deliveries(action: &Action, deliveries: &[Delivery], json: bool) {
    if json {
        print_json(&json!(deliveries));
    } else {
        out!("{}", deliveries_text(action, deliveries));
    }
}

pub fn deliveries_text(action: &Action, deliveries: &[Delivery]) -> String {
    if deliveries.is_empty() {
        return format!("no subscription includes {action}; nothing was delivered\n");
    }
    deliveries.iter().map(delivery_line).collect()
}

pub fn delivery_log(deliveries: &[Delivery], json: bool) {
    if json {
        print_json(&json!(deliveries));
    } else if deliveries.is_empty() {
        outln!("no deliveries yet");
    } else {
        out!("{}", deliveries.iter().map(delivery_line).collect::<String>());
    }
}

fn delivery_line(delivery: &Delivery) -> String {
    let outcome = match (delivery.status, &delivery.error) {
        (Some(status), None) => format!("HTTP {status}"),
        (Some(status), Some(error)) => format!("HTTP {status}, then {error}"),
        (None, Some(error)) => error.clone(),
        (None, None) => "no answer".to_owned(),
    };
    let verdict = match (delivery.delivered(), delivery.status) {
        (true, _) => "delivered",
        (false, None) if delivery.error.as_deref().is_some_and(|e| e.starts_with("not sent")) => {
            "skipped"
        }
        (false, _) => "FAILED",
    };
    printable(&format!(
        "{verdict} #{} {} to subscription {} ({}): {outcome}",
        delivery.id, delivery.action, delivery.webhook_id, delivery.subscription_url
    )) + "\n"
}

/// The numbered steps of `demo`: text as they happen, or one JSON document at the end.
pub struct Steps {
    json: bool,
    done: Vec<Value>,
}

impl Steps {
    pub fn new(json: bool) -> Self {
        Steps { json, done: Vec::new() }
    }

    pub fn say(&self, line: &str) {
        if !self.json {
            outln!("{line}\n");
        }
    }

    pub fn step(&mut self, title: &str, value: Value, text: impl FnOnce() -> String) {
        if !self.json {
            outln!("{}. {title}", self.done.len() + 1);
            for line in text().lines() {
                outln!("   {line}");
            }
            outln!();
        }
        self.done.push(json!({ "step": title, "result": value }));
    }

    pub fn finish(self) {
        if self.json {
            print_json(&Value::Array(self.done));
        } else {
            outln!(
                "Done: {} steps against the simulator, all through the generated client.",
                self.done.len()
            );
        }
    }
}

fn describe(webhook: &Webhook) -> String {
    printable(&format!(
        "{}: {} → {} (notification auth: {})",
        webhook.id,
        action_list(&webhook.actions),
        webhook.subscription_url,
        auth(webhook)
    ))
}

fn action_list(actions: &[Action]) -> String {
    let names: Vec<&str> = actions.iter().map(Action::as_str).collect();
    names.join(",")
}

fn auth(webhook: &Webhook) -> String {
    match (webhook.auth_user(), webhook.has_password()) {
        (None, false) => "none".to_owned(),
        (Some(user), true) => format!("user {user}, password set"),
        (Some(user), false) => format!("user {user}, no password"),
        (None, true) => "password set, no user".to_owned(),
    }
}

/// Server data on a terminal: control characters escaped, so that a hostile action name
/// or URL cannot forge table rows or send terminal escapes.
fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| -> Box<dyn Iterator<Item = char>> {
            if c.is_control() { Box::new(c.escape_default()) } else { Box::new(std::iter::once(c)) }
        })
        .collect()
}

fn print_json_line(value: &Value) {
    outln!("{value}");
}

fn print_json(value: &Value) {
    outln!("{}", serde_json::to_string_pretty(value).expect("JSON values always serialize"));
}
