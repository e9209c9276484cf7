//! The `thulium-webhooks` binary against an in-process simulator: output and exit status
//! of each command, and no password ever printed.

use std::process::{Command, Output};

use thulium_webhooks::simulator::Simulator;

const API_PASSWORD: &str = "api-CANARY-1";
const HOOK_PASSWORD: &str = "hook-CANARY-2";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary with a clean environment (no proxy variables, no THULIUM_* of the
/// developer's own) plus `env`, in a blocking thread so the simulator keeps serving.
async fn cli(args: &[&str], env: &[(&str, &str)], base_url: &str) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_thulium-webhooks"));
    command.env_clear().args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    let Output { status, stdout, stderr } =
        tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let clean = |bytes: Vec<u8>| {
        let text = String::from_utf8(bytes).unwrap();
        if base_url.is_empty() { text } else { text.replace(base_url, "[base_url]") }
    };
    let run = Run { code: status.code().unwrap(), stdout: clean(stdout), stderr: clean(stderr) };
    for secret in [API_PASSWORD, HOOK_PASSWORD] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a password was printed: {}{}",
            run.stdout,
            run.stderr
        );
    }
    run
}

fn connection(base_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("THULIUM_BASE_URL", base_url.to_owned()),
        ("THULIUM_API_USER", "api_user".to_owned()),
        ("THULIUM_API_PASSWORD", API_PASSWORD.to_owned()),
        ("HOOK_PASSWORD", HOOK_PASSWORD.to_owned()),
    ]
}

fn snapshot(run: &Run) -> String {
    format!("exit: {}\n--- stdout\n{}--- stderr\n{}", run.code, run.stdout, run.stderr)
}

#[tokio::test]
async fn subscription_commands_against_the_simulator() {
    let simulator =
        Simulator::builder().credentials("api_user", API_PASSWORD).start().await.unwrap();
    let base = simulator.base_url();
    let owned = connection(&base);
    let env: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let mut transcript = Vec::new();
    let steps: &[&[&str]] = &[
        &["list"],
        &["create", "--action", "CHAT_CONVERSATION_CREATED", "--url", "https://example.pl"],
        &[
            "create",
            "--action",
            "CUSTOMER_CREATED",
            "--action",
            "CALL_ENDED",
            "--url",
            "https://crm.example.com/hook",
            "--auth-user",
            "thulium",
            "--auth-password-env",
            "HOOK_PASSWORD",
        ],
        &["list"],
        &["ensure", "--action", "CHAT_CONVERSATION_CREATED", "--url", "https://example.pl/"],
        &["ensure", "--action", "TICKET_CREATED", "--url", "https://example.pl"],
        &["--json", "list"],
        &["--json", "ensure", "--action", "TICKET_CREATED", "--url", "https://example.pl"],
    ];
    for args in steps {
        let run = cli(args, &env, &base).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        transcript.push(format!("$ thulium-webhooks {}\n{}", args.join(" "), snapshot(&run)));
    }
    assert_eq!(simulator.webhooks().len(), 3, "ensure created exactly one");
    let stored = &simulator.webhooks()[1];
    assert_eq!(
        stored.http_auth_password.as_ref().unwrap().expose(),
        HOOK_PASSWORD,
        "the password was sent"
    );
    insta::assert_snapshot!(transcript.join("\n"));
}

#[tokio::test]
async fn failures_exit_non_zero_with_one_clear_line() {
    let simulator =
        Simulator::builder().credentials("api_user", "other-password").start().await.unwrap();
    let base = simulator.base_url();
    let owned = connection(&base);
    let env: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let refused = cli(&["list"], &env, &base).await;
    assert_eq!(refused.code, 1);
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("HTTP 401") && refused.stderr.contains("request_id"),
        "{}",
        refused.stderr
    );

    let bad_url =
        cli(&["create", "--action", "CUSTOMER_CREATED", "--url", "/relative"], &env, &base).await;
    assert_eq!(bad_url.code, 2);
    insta::assert_snapshot!("bad_subscription_url", snapshot(&bad_url));

    // A subscription whose action name is longer than a formatter's width limit, and one
    // with control characters stored by someone else: `list` still prints a table.
    let long_action =
        thulium_webhooks::WebhookCreate::new("https://example.pl", ["A".repeat(70_000)]);
    let other = Simulator::builder().credentials("api_user", API_PASSWORD).start().await.unwrap();
    other.client().unwrap().create_webhook(&long_action).await.unwrap();
    let raw = reqwest::Client::builder().no_proxy().build().unwrap();
    raw.post(format!("{}/webhooks", other.base_url()))
        .basic_auth("api_user", Some(API_PASSWORD))
        .body(r#"{"actions":["X\n9  FAKE_ROW\u001b]0;pwned\u0007"],"subscription_url":"https://example.pl"}"#)
        .send()
        .await
        .unwrap();
    let other_env = connection(&other.base_url());
    let other_env: Vec<(&str, &str)> = other_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let long = cli(&["list"], &other_env, &other.base_url()).await;
    assert_eq!(long.code, 0, "{}", long.stderr);
    assert_eq!(long.stdout.lines().count(), 3, "one header and two rows");
    assert!(!long.stdout.contains('\u{1b}'), "no terminal escape reaches the terminal");

    let no_system =
        cli(&["list"], &[("THULIUM_API_USER", "u"), ("THULIUM_API_PASSWORD", "p")], &base).await;
    assert_eq!(no_system.code, 2);
    insta::assert_snapshot!("no_system", snapshot(&no_system));

    let no_password = cli(&["--base-url", &base, "--api-user", "u", "list"], &[], &base).await;
    assert_eq!(no_password.code, 2);
    insta::assert_snapshot!("no_password", snapshot(&no_password));

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}/api", listener.local_addr().unwrap());
    drop(listener);
    let unreachable = cli(&["--base-url", &closed, "list"], &env[1..], &base).await;
    assert_eq!(unreachable.code, 1);
    assert!(
        unreachable.stderr.starts_with("error: listWebhooks: cannot connect"),
        "{}",
        unreachable.stderr
    );
}

#[tokio::test]
async fn actions_and_demo() {
    let actions = cli(&["actions"], &[], "").await;
    assert_eq!(actions.code, 0);
    insta::assert_snapshot!("actions", actions.stdout);

    let demo = cli(&["demo"], &[], "").await;
    assert_eq!(demo.code, 0, "{}", demo.stderr);
    assert!(
        demo.stdout
            .contains("created subscription 1: CHAT_CONVERSATION_CREATED → https://example.pl")
    );
    assert!(demo.stdout.contains("exists: subscription 1"));
    assert!(demo.stdout.contains("delivered #2 CHAT_CONVERSATION_CREATED to subscription 2"));
    assert!(demo.stdout.contains("CHAT_CONVERSATION_CREATED conversation_id="));
    insta::assert_snapshot!("demo", without_ports(&demo.stdout));
}

/// `127.0.0.1:41234` → `127.0.0.1:[port]`, so snapshots do not depend on free ports.
fn without_ports(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("127.0.0.1:") {
        let after = &rest[at + "127.0.0.1:".len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str(&rest[..at]);
        out.push_str("127.0.0.1:[port]");
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn listen_prints_typed_notifications() {
    use std::io::{BufRead, BufReader, Read};
    let mut child = Command::new(env!("CARGO_BIN_EXE_thulium-webhooks"))
        .env_clear()
        .env("HOOK_PASSWORD", HOOK_PASSWORD)
        .args([
            "listen",
            "--auth-user",
            "thulium",
            "--auth-password-env",
            "HOOK_PASSWORD",
            "--count",
            "2",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_owned();

    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let send = |body: &'static str, password: &str| {
        http.post(&url)
            .basic_auth("thulium", Some(password))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let production =
        "action=CUSTOMER_UPDATED&customer_id=682&company_id=null&date=2026-09-04+12%3A19%3A43";
    assert_eq!(send(production, "wrong").await.unwrap().status().as_u16(), 401);
    assert_eq!(send(production, HOOK_PASSWORD).await.unwrap().status().as_u16(), 200);
    assert_eq!(
        send("action=CALL_ENDED&duration=35", HOOK_PASSWORD).await.unwrap().status().as_u16(),
        200
    );

    let (code, out, err) = tokio::task::spawn_blocking(move || {
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        (status.code(), first + &rest, stderr)
    })
    .await
    .unwrap();
    assert_eq!(code, Some(0), "--count 2 ends it");
    assert!(!out.contains(HOOK_PASSWORD) && !err.contains(HOOK_PASSWORD));
    insta::assert_snapshot!(
        "listen",
        format!("--- stdout\n{}--- stderr\n{err}", without_ports(&out))
    );
}

#[tokio::test]
async fn simulator_trigger_and_deliveries_from_the_shell() {
    use thulium_webhooks::{
        Action, WebhookCreate,
        receiver::{Listener, Receiver},
    };
    let simulator =
        Simulator::builder().credentials("api_user", API_PASSWORD).start().await.unwrap();
    let base = simulator.base_url();
    let owned = connection(&base);
    let env: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut listener =
        Listener::start(Receiver::new().with_basic_auth("thulium", HOOK_PASSWORD), 0)
            .await
            .unwrap();
    let subscription = WebhookCreate::new(listener.url(), [Action::CustomerUpdated])
        .with_basic_auth("thulium", HOOK_PASSWORD);
    simulator.client().unwrap().create_webhook(&subscription).await.unwrap();

    let args = [
        "simulator",
        "trigger",
        "CUSTOMER_UPDATED",
        "--field",
        "customer_id=682",
        "--field",
        "company_id=null",
    ];
    let triggered = cli(&args, &env, &base).await;
    assert_eq!(triggered.code, 0, "{}", triggered.stderr);
    let received = listener.next().await.unwrap().unwrap();
    assert_eq!(received.fields().get("customer_id"), Some("682"));
    let nobody = cli(&["simulator", "trigger", "TICKET_CREATED"], &env, &base).await;
    let log = cli(&["simulator", "deliveries"], &env, &base).await;
    let bad_field = cli(&["simulator", "trigger", "X", "--field", "novalue"], &env, &base).await;
    assert_eq!(bad_field.code, 2);

    // A refused delivery makes the command fail; a remote base URL is refused outright.
    let wrong = WebhookCreate::new(listener.url(), [Action::AgentRinging])
        .with_basic_auth("thulium", "wrong");
    simulator.client().unwrap().create_webhook(&wrong).await.unwrap();
    let refused = cli(&["simulator", "trigger", "AGENT_RINGING"], &env, &base).await;
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(
        refused.stdout.contains("FAILED") && refused.stderr.contains("1 of 1 deliveries failed"),
        "{}",
        refused.stderr
    );
    assert_eq!(listener.next().await.unwrap().unwrap_err().status(), 401);
    let remote = cli(
        &["--base-url", "https://acme.thulium.com", "simulator", "deliveries"],
        &env[1..],
        &base,
    )
    .await;
    assert_eq!(remote.code, 2);
    assert!(remote.stderr.contains("not a loopback URL"), "{}", remote.stderr);
    let transcript = [triggered, nobody, log].iter().map(snapshot).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("simulator_trigger", without_ports(&transcript));
}

/// The CLI honours proxy variables for remote systems (a loopback stand-in plays the
/// proxy here; nothing leaves the machine), and never uses them for loopback ones.
#[tokio::test]
async fn proxy_variables_are_honoured_for_remote_systems() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let seen = tokio::spawn(async move {
        let (mut stream, _) = proxy.accept().await.unwrap();
        let mut buffer = vec![0u8; 4096];
        let n = stream.read(&mut buffer).await.unwrap();
        stream
            .write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]",
            )
            .await
            .unwrap();
        String::from_utf8_lossy(&buffer[..n]).lines().next().unwrap_or_default().to_owned()
    });
    let env = [
        ("HTTP_PROXY", proxy_url.as_str()),
        ("THULIUM_BASE_URL", "http://thulium.invalid/api"),
        ("THULIUM_API_USER", "api_user"),
        ("THULIUM_API_PASSWORD", API_PASSWORD),
    ];
    let run = cli(&["list", "--attempts", "1"], &env, "").await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(seen.await.unwrap(), "GET http://thulium.invalid/api/webhooks HTTP/1.1");

    // The simulator on loopback is reached directly even with a (dead) proxy configured.
    let simulator = Simulator::start().await.unwrap();
    let base = simulator.base_url();
    let env = [
        ("HTTP_PROXY", "http://127.0.0.1:9"),
        ("THULIUM_BASE_URL", base.as_str()),
        ("THULIUM_API_USER", "api_user"),
        ("THULIUM_API_PASSWORD", API_PASSWORD),
    ];
    assert_eq!(cli(&["list"], &env, &base).await.code, 0);
}

#[tokio::test]
async fn shell_completions_and_help() {
    for shell in ["bash", "zsh", "fish"] {
        let run = cli(&["completions", shell], &[], "").await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        for word in ["thulium-webhooks", "ensure", "listen", "simulator"] {
            assert!(run.stdout.contains(word), "{shell} completion lacks {word}");
        }
    }
    // The bash script really completes after a subcommand (clap_complete alone does not
    // for a hyphenated name).
    let script = cli(&["completions", "bash"], &[], "").await.stdout;
    let check = format!(
        "{script}\nCOMP_WORDS=(thulium-webhooks create --ac); COMP_CWORD=2\n\
         _thulium__webhooks thulium-webhooks --ac create; echo \"${{COMPREPLY[@]}}\"\n\
         COMP_WORDS=(thulium-webhooks simulator tr); COMP_CWORD=2\n\
         _thulium__webhooks thulium-webhooks tr simulator; echo \"${{COMPREPLY[@]}}\"\n"
    );
    let completed = tokio::task::spawn_blocking(move || {
        Command::new("bash").arg("-c").arg(check).env_clear().output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(String::from_utf8_lossy(&completed.stdout), "--action\ntrigger\n");

    let help = cli(&["--help"], &[], "").await;
    assert_eq!(help.code, 0);
    assert!(
        help.stdout.contains("Examples:") && help.stdout.contains("Exit status:"),
        "{}",
        help.stdout
    );
}
