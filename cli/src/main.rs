//! `thulium-webhooks`: manage Thulium webhook subscriptions, and run the offline
//! simulator, from a shell. A thin shell over the `thulium-webhooks` library.

mod output;

use std::{process::ExitCode, time::Duration};

use clap::{Args, Parser, Subcommand};
use thulium_webhooks::{
    Action, Client, Error, RetryPolicy, Secret, WebhookCreate,
    config::{ENV_API_PASSWORD, ENV_API_USER, ENV_BASE_URL, ENV_SYSTEM},
    notification::Fields,
    receiver::{Listener, Receiver},
    simulator::{self, Simulator},
};

const EXAMPLES: &str = "\
Examples:
  thulium-webhooks demo
  thulium-webhooks simulator --port 8080
  thulium-webhooks listen --port 8090 --auth-user thulium --auth-password-env HOOK_PASSWORD
  thulium-webhooks simulator trigger CUSTOMER_UPDATED --field customer_id=682 --field company_id=null
  THULIUM_BASE_URL=http://127.0.0.1:8080/api THULIUM_API_USER=u THULIUM_API_PASSWORD=p thulium-webhooks list
  thulium-webhooks --system acme create --action CHAT_CONVERSATION_CREATED --url https://example.pl
  thulium-webhooks ensure --action CUSTOMER_CREATED --action CUSTOMER_UPDATED --url https://crm.example.com/hook \\
      --auth-user thulium --auth-password-env HOOK_PASSWORD

Exit status: 0 on success, 1 when the API or the connection failed, 2 for bad usage or configuration.";

/// Manage Thulium webhook subscriptions and run an offline simulator of the API.
///
/// Passwords are read from environment variables, never from flags, and never printed.
#[derive(Parser, Debug)]
#[command(name = "thulium-webhooks", version, after_help = EXAMPLES)]
struct Cli {
    #[command(flatten)]
    connection: Connection,

    /// Print JSON for scripts instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

/// Where and as whom to connect.
#[derive(Args, Debug)]
struct Connection {
    /// Thulium system name: `acme` for https://acme.thulium.com.
    #[arg(long, env = ENV_SYSTEM, hide_env_values = true, global = true)]
    system: Option<String>,

    /// Full base URL instead of a system name (self-hosted systems, the simulator).
    /// Wins over --system.
    #[arg(long, env = ENV_BASE_URL, hide_env_values = true, global = true)]
    base_url: Option<String>,

    /// API user (Administration → Users → API users).
    #[arg(long, env = ENV_API_USER, hide_env_values = true, global = true)]
    api_user: Option<String>,

    /// Name of the environment variable that holds the API password.
    #[arg(long, value_name = "VAR", default_value = ENV_API_PASSWORD, global = true)]
    api_password_env: String,

    /// Request timeout in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, global = true)]
    timeout: f64,

    /// Attempts in all for a request that may be retried (1: no retries). See the
    /// README's retry policy.
    #[arg(long, value_name = "N", default_value_t = 3, global = true)]
    attempts: u32,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the webhook subscriptions.
    List,
    /// Create a subscription (always a new one; see `ensure`).
    Create(Subscription),
    /// Create the subscription unless one with the same URL and actions exists.
    Ensure(Subscription),
    /// List the known actions.
    Actions,
    /// Run the simulator of Thulium's webhooks API on 127.0.0.1 until Ctrl-C, or control
    /// a running one (`trigger`, `deliveries`).
    Simulator(SimulatorArgs),
    /// Receive notifications on 127.0.0.1 and print each one as it arrives.
    Listen(ListenArgs),
    /// Start the simulator in-process: list → create → list → ensure, then deliver a
    /// notification to a local receiver.
    Demo,
    /// Print a shell completion script, e.g.
    /// `thulium-webhooks completions bash > ~/.local/share/bash-completion/completions/thulium-webhooks`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Debug)]
struct ListenArgs {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// Require this HTTP Basic user (the subscription's http_auth_user).
    #[arg(long, value_name = "USER")]
    auth_user: Option<String>,

    /// Name of the environment variable with the password --auth-user must send.
    #[arg(long, value_name = "VAR", requires = "auth_user")]
    auth_password_env: Option<String>,

    /// Stop after this many notifications (default: run until Ctrl-C).
    #[arg(long, value_name = "N")]
    count: Option<u64>,
}

#[derive(Args, Debug)]
struct Subscription {
    /// An action to subscribe to (repeat for more); unknown names are sent as given.
    #[arg(long = "action", value_name = "ACTION", required = true)]
    actions: Vec<String>,

    /// Where Thulium sends the notifications: an absolute http(s) URL.
    #[arg(long, value_name = "URL")]
    url: String,

    /// HTTP Basic user Thulium sends with each notification.
    #[arg(long, value_name = "USER")]
    auth_user: Option<String>,

    /// Name of the environment variable that holds the notification password.
    #[arg(long, value_name = "VAR", requires = "auth_user")]
    auth_password_env: Option<String>,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
struct SimulatorArgs {
    #[command(subcommand)]
    control: Option<SimulatorControl>,

    #[command(flatten)]
    run: SimulatorRun,
}

#[derive(Subcommand, Debug)]
enum SimulatorControl {
    /// Make a running simulator (at --base-url / THULIUM_BASE_URL) deliver an event to
    /// every subscription that includes it.
    Trigger {
        /// The action, e.g. CHAT_CONVERSATION_CREATED (unknown names are sent as given).
        action: String,
        /// A field of the notification, overriding the documented example (repeatable).
        #[arg(long = "field", value_name = "NAME=VALUE", value_parser = parse_field)]
        fields: Vec<(String, String)>,
    },
    /// List what a running simulator has delivered.
    Deliveries,
}

fn parse_field(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("{text:?} is not NAME=VALUE")),
    }
}

#[derive(Args, Debug)]
struct SimulatorRun {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// Accept only this API user (default: any Basic credentials with a user).
    #[arg(long, value_name = "USER")]
    require_user: Option<String>,

    /// Name of the environment variable with the password --require-user must send.
    #[arg(long, value_name = "VAR", requires = "require_user")]
    require_password_env: Option<String>,

    /// Also deliver notifications to subscription URLs that are not on this machine
    /// (by default only 127.0.0.0/8, [::1] and localhost get them).
    #[arg(long)]
    deliver_external: bool,
}

/// Why the command failed, and so its exit status.
enum Failure {
    /// Bad usage or configuration: exit 2.
    Usage(String),
    /// The API or the connection failed: exit 1.
    Runtime(String),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        match error {
            Error::Config { .. } | Error::InvalidInput { .. } => Failure::Usage(error.to_string()),
            other => Failure::Runtime(other.to_string()),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let json = cli.json;
    match cli.command {
        Command::List => {
            let webhooks = client(&cli.connection)?.list_webhooks().await?;
            output::webhooks(&webhooks, json);
        }
        Command::Create(subscription) => {
            let body = subscription.to_body()?;
            let created = client(&cli.connection)?.create_webhook(&body).await?;
            output::created(&created, json);
        }
        Command::Ensure(subscription) => {
            let body = subscription.to_body()?;
            let ensured = client(&cli.connection)?.ensure_webhook(&body).await?;
            output::ensured(&ensured, json);
        }
        Command::Actions => output::known_actions(json),
        Command::Simulator(SimulatorArgs { control: None, run }) => {
            run_simulator(run, json).await?
        }
        Command::Simulator(SimulatorArgs { control: Some(control), .. }) => {
            let client = client(&cli.connection)?;
            // The control endpoints are the local simulator's: never send a real
            // system's credentials to some other host for them.
            if !client.base_url().is_loopback() {
                return Err(Failure::Usage(format!(
                    "simulator commands talk to a simulator on this machine; {} is not a loopback URL",
                    client.base_url()
                )));
            }
            match control {
                SimulatorControl::Trigger { action, fields } => {
                    let action = Action::from_name(action.trim());
                    let deliveries =
                        simulator::trigger_remote(&client, &action, &Fields::new(fields)).await?;
                    output::deliveries(&action, &deliveries, json);
                    // Skipped (non-loopback) deliveries are by design; a refused or
                    // unanswered one is a failure a script must see.
                    let failed = deliveries
                        .iter()
                        .filter(|d| {
                            !d.delivered()
                                && !d.error.as_deref().is_some_and(|e| e.starts_with("not sent"))
                        })
                        .count();
                    if failed > 0 {
                        return Err(Failure::Runtime(format!(
                            "{failed} of {} deliveries failed",
                            deliveries.len()
                        )));
                    }
                }
                SimulatorControl::Deliveries => {
                    let deliveries = simulator::deliveries_remote(&client).await?;
                    output::delivery_log(&deliveries, json);
                }
            }
        }
        Command::Listen(args) => listen(args, json).await?,
        Command::Demo => demo(json).await?,
        Command::Completions { shell } => output::completions(shell),
    }
    Ok(())
}

fn client(connection: &Connection) -> Result<Client, Failure> {
    let mut builder = Client::builder();
    // An empty variable (`THULIUM_BASE_URL=`) counts as unset.
    let given = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
    match (given(&connection.base_url), given(&connection.system)) {
        (Some(base_url), _) => builder = builder.base_url(&base_url),
        (None, Some(system)) => builder = builder.system(&system),
        (None, None) => {
            return Err(Failure::Usage(format!(
                "no Thulium system: pass --system NAME or --base-url URL (or set {ENV_SYSTEM} or {ENV_BASE_URL})"
            )));
        }
    }
    let Some(user) = &connection.api_user else {
        return Err(Failure::Usage(format!(
            "no API user: pass --api-user USER (or set {ENV_API_USER})"
        )));
    };
    let password = read_secret(&connection.api_password_env)?;
    let timeout = Duration::try_from_secs_f64(connection.timeout)
        .ok()
        .filter(|t| *t >= Duration::from_millis(1))
        .ok_or_else(|| {
            Failure::Usage(format!(
                "--timeout {} is not a number of seconds of at least 0.001",
                connection.timeout
            ))
        })?;
    if connection.attempts == 0 {
        return Err(Failure::Usage("--attempts must be at least 1".into()));
    }
    let retry = RetryPolicy { max_attempts: connection.attempts, ..RetryPolicy::default() };
    Ok(builder.credentials(user.clone(), password).timeout(timeout).retry(retry).build()?)
}

/// Reads a password from the environment variable `name`; its value is never printed.
fn read_secret(name: &str) -> Result<Secret, Failure> {
    // A password typed where the variable's name belongs must not be echoed back.
    let looks_like_a_name = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !looks_like_a_name {
        return Err(Failure::Usage(
            "the --…-password-env option takes the NAME of an environment variable (not shown: it does not look like one; did you give the password itself?)".to_owned(),
        ));
    }
    match std::env::var(name) {
        Ok(value) => Ok(Secret::new(value)),
        Err(std::env::VarError::NotPresent) => Err(Failure::Usage(format!(
            "the environment variable {name} (the password) is not set"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Failure::Usage(format!("the environment variable {name} is not valid UTF-8")))
        }
    }
}

impl Subscription {
    fn to_body(&self) -> Result<WebhookCreate, Failure> {
        let actions = self.actions.iter().map(|a| Action::from_name(a.trim()));
        let mut body = WebhookCreate::new(self.url.clone(), actions);
        if let Some(user) = &self.auth_user {
            let password = match &self.auth_password_env {
                Some(var) => read_secret(var)?,
                None => Secret::default(),
            };
            body = body.with_basic_auth(user.clone(), password);
        }
        body.validate()?;
        Ok(body)
    }
}

async fn run_simulator(args: SimulatorRun, json: bool) -> Result<(), Failure> {
    let mut builder = Simulator::builder().port(args.port).external_delivery(args.deliver_external);
    if let Some(user) = &args.require_user {
        if user.is_empty() || user.contains(':') {
            return Err(Failure::Usage(
                "--require-user must be a non-empty user without ':' (Basic auth cannot carry one)"
                    .into(),
            ));
        }
        let password = match &args.require_password_env {
            Some(var) => read_secret(var)?,
            None => Secret::default(),
        };
        builder = builder.credentials(user.clone(), password);
    }
    let simulator = builder
        .start()
        .await
        .map_err(|e| Failure::Runtime(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    output::simulator_started(&simulator.base_url(), args.require_user.as_deref(), json);
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::Runtime(format!("cannot wait for Ctrl-C: {e}")))?;
    simulator.shutdown().await;
    Ok(())
}

/// Prints each notification as it arrives until Ctrl-C (or `--count`).
async fn listen(args: ListenArgs, json: bool) -> Result<(), Failure> {
    let mut receiver = Receiver::new();
    if let Some(user) = &args.auth_user {
        let password = match &args.auth_password_env {
            Some(var) => read_secret(var)?,
            None => Secret::default(),
        };
        receiver = receiver.with_basic_auth(user.clone(), password);
    }
    let mut listener = Listener::start(receiver, args.port)
        .await
        .map_err(|e| Failure::Runtime(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    output::listening(&listener.url(), args.auth_user.as_deref(), json);
    let mut received = 0;
    loop {
        tokio::select! {
            next = listener.next() => match next {
                Some(Ok(notification)) => {
                    output::notification(&notification, json);
                    received += 1;
                    if args.count.is_some_and(|count| received >= count) {
                        return Ok(());
                    }
                }
                Some(Err(rejection)) => output::rejection(&rejection, json),
                None => return Err(Failure::Runtime("the receiver stopped".into())),
            },
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

/// The main job on the embedded simulator: every step through the generated client,
/// then a notification delivered to a local receiver.
async fn demo(json: bool) -> Result<(), Failure> {
    let simulator = Simulator::start()
        .await
        .map_err(|e| Failure::Runtime(format!("cannot start the simulator: {e}")))?;
    let client = simulator.client()?;
    let mut steps = output::Steps::new(json);
    steps.say(&format!(
        "Simulator of the Thulium webhooks API started in-process at {}",
        simulator.base_url()
    ));

    let before = client.list_webhooks().await?;
    steps.step("list subscriptions (GET /webhooks)", output::webhooks_value(&before), || {
        output::webhooks_text(&before)
    });

    // The example of Thulium's documentation, sent as documented.
    let seed = WebhookCreate::new("https://example.pl", [Action::ChatConversationCreated]);
    let created = client.create_webhook(&seed).await?;
    steps.step(
        "create the documented example (POST /webhooks)",
        created.to_redacted_json(),
        || output::created_text(&created),
    );

    let after = client.list_webhooks().await?;
    steps.step("list subscriptions again", output::webhooks_value(&after), || {
        output::webhooks_text(&after)
    });

    let ensured = client.ensure_webhook(&seed).await?;
    steps.step(
        "ensure the same subscription (nothing new is created)",
        output::ensured_value(&ensured),
        || output::ensured_text(&ensured),
    );

    // Notifications: a local receiver that requires Basic auth, subscribed on the simulator.
    let hook_password = Secret::new("demo-notification-password");
    let receiver = Receiver::new().with_basic_auth("thulium", hook_password.clone());
    let mut listener = Listener::start(receiver, 0)
        .await
        .map_err(|e| Failure::Runtime(format!("cannot start the receiver: {e}")))?;
    let subscription = WebhookCreate::new(listener.url(), [Action::ChatConversationCreated])
        .with_basic_auth("thulium", hook_password);
    let ensured = client.ensure_webhook(&subscription).await?;
    steps.step(
        &format!("subscribe a local receiver ({}) with Basic auth", listener.url()),
        output::ensured_value(&ensured),
        || output::ensured_text(&ensured),
    );

    let deliveries = simulator.trigger(Action::ChatConversationCreated, Fields::default()).await;
    let delivered = serde_json::to_value(&deliveries).unwrap_or_default();
    steps.step("trigger CHAT_CONVERSATION_CREATED on the simulator", delivered, || {
        output::deliveries_text(&Action::ChatConversationCreated, &deliveries)
    });

    let received = tokio::time::timeout(Duration::from_secs(5), listener.next())
        .await
        .map_err(|_| Failure::Runtime("no notification arrived within 5 s".into()))?
        .ok_or_else(|| Failure::Runtime("the receiver stopped".into()))?
        .map_err(|rejection| {
            Failure::Runtime(format!("the receiver refused the notification: {rejection}"))
        })?;
    steps.step(
        "the receiver got it, checked its Basic auth and parsed it",
        output::notification_value(&received),
        || output::notification_text(&received),
    );
    steps.finish();
    simulator.shutdown().await;
    Ok(())
}
