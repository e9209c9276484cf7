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
    let clean = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap().replace(base_url, "[base_url]");
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
    let actions = cli(&["actions"], &[], "-").await;
    assert_eq!(actions.code, 0);
    insta::assert_snapshot!("actions", actions.stdout);

    let demo = cli(&["demo"], &[], "-").await;
    assert_eq!(demo.code, 0, "{}", demo.stderr);
    let port_free = demo
        .stdout
        .split_whitespace()
        .map(|w| if w.starts_with("http://127.0.0.1:") { "http://127.0.0.1:[port]/api" } else { w })
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        demo.stdout
            .contains("created subscription 1: CHAT_CONVERSATION_CREATED → https://example.pl")
    );
    assert!(demo.stdout.contains("exists: subscription 1"));
    insta::assert_snapshot!("demo", port_free);
}
