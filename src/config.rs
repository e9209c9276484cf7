//! Where the client connects and how: system name or base URL, API credentials,
//! timeout. Everything is checked here, before any request is sent.

use std::{fmt, time::Duration};

use reqwest::header::HeaderValue;

use crate::{Error, RetryPolicy, secret::Secret};

/// The request timeout Thulium's own samples use (`CURLOPT_TIMEOUT, 30`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The `User-Agent` of every request: this crate and its version.
pub const USER_AGENT: &str = concat!("thulium-webhooks/", env!("CARGO_PKG_VERSION"));

/// Environment variable: the Thulium system name (`acme` for `https://acme.thulium.com`).
pub const ENV_SYSTEM: &str = "THULIUM_SYSTEM";
/// Environment variable: a full base URL, for self-hosted systems or the simulator.
pub const ENV_BASE_URL: &str = "THULIUM_BASE_URL";
/// Environment variable: the API user.
pub const ENV_API_USER: &str = "THULIUM_API_USER";
/// Environment variable: the API user's password.
pub const ENV_API_PASSWORD: &str = "THULIUM_API_PASSWORD";

/// The API user and password sent with HTTP Basic auth. `Debug` never shows the password.
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: Secret,
}

impl Credentials {
    /// Checks and wraps an API user and password.
    ///
    /// Basic auth joins them with `:`, so the user may not contain one (the password may).
    /// Non-ASCII characters are sent as UTF-8.
    pub fn new(user: impl Into<String>, password: impl Into<Secret>) -> Result<Self, Error> {
        let user = user.into();
        if user.is_empty() {
            return Err(Error::config("api_user", "the API user is empty"));
        }
        if user.contains(':') {
            return Err(Error::config(
                "api_user",
                "the API user contains ':', which HTTP Basic auth cannot carry",
            ));
        }
        if user.chars().any(char::is_control) {
            return Err(Error::config("api_user", "the API user contains a control character"));
        }
        Ok(Credentials { user, password: password.into() })
    }

    /// The API user.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The API password (call it only to send it).
    pub fn password(&self) -> &Secret {
        &self.password
    }

    /// The `Authorization` header value, marked sensitive so that `Debug` of a request
    /// or of reqwest's client does not show it.
    pub(crate) fn header(&self) -> HeaderValue {
        let basic = crate::basic_auth::header_value(&self.user, self.password.expose());
        let mut value =
            HeaderValue::try_from(basic).expect("base64 is always a valid header value");
        value.set_sensitive(true);
        value
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &self.password)
            .finish()
    }
}

/// The base URL of a Thulium system (`https://acme.thulium.com/api`).
///
/// Normalised once: no trailing or doubled slashes, `/api` appended unless the path
/// already ends with it. Credentials, queries and fragments in the URL are refused.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// `https://{system}.thulium.com/api`, for a system name such as `acme`.
    pub fn for_system(system: &str) -> Result<Self, Error> {
        let system = system.trim();
        let valid = !system.is_empty()
            && system.len() <= 63
            && system.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !system.starts_with('-')
            && !system.ends_with('-');
        if !valid {
            return Err(Error::config(
                "system",
                format!(
                    "{} is not a Thulium system name (letters, digits and '-', as in \
                     https://NAME.thulium.com); pass a full base URL for other hosts",
                    quotable(system)
                ),
            ));
        }
        Ok(BaseUrl(format!("https://{}.thulium.com/api", system.to_ascii_lowercase())))
    }

    /// Parses and normalises a full base URL, e.g. `https://acme.thulium.com`,
    /// `https://acme.thulium.com/api/` or `http://127.0.0.1:8080/api`.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let input = input.trim();
        let lower = input.get(..8).unwrap_or(input).to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(Error::config(
                "base_url",
                format!(
                    "{} has no http:// or https:// scheme (e.g. https://acme.thulium.com/api)",
                    quotable(input)
                ),
            ));
        }
        let url = url::Url::parse(input).map_err(|e| {
            Error::config("base_url", format!("{} is not a URL: {e}", quotable(input)))
        })?;
        // `@` has no business in a base URL; where it is, credentials were meant, even
        // when the URL parser reads `http://a:/@host` as a path.
        if !url.username().is_empty() || url.password().is_some() || input.contains('@') {
            return Err(Error::config(
                "base_url",
                "the URL contains credentials; give them as the API user and password instead",
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::config("base_url", format!("{} has no host", quotable(input))));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::config(
                "base_url",
                "the base URL has a query or fragment; a base URL has neither",
            ));
        }
        let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
        let mut path = String::new();
        for segment in &segments {
            path.push('/');
            path.push_str(segment);
        }
        if segments.last() != Some(&"api") {
            path.push_str("/api");
        }
        let origin = url.origin().ascii_serialization();
        Ok(BaseUrl(format!("{origin}{path}")))
    }

    /// The URL, e.g. `https://acme.thulium.com/api` (never a trailing slash).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `true` for 127.0.0.0/8, `[::1]` and `localhost`: the simulator and test servers.
    /// Such URLs never go through a proxy from the environment.
    pub fn is_loopback(&self) -> bool {
        is_loopback_url(&self.0)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({:?})", self.0)
    }
}

/// `true` when `url` points at 127.0.0.0/8, `[::1]` or `localhost`.
pub(crate) fn is_loopback_url(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else { return false };
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            name.eq_ignore_ascii_case("localhost")
                || name.to_ascii_lowercase().ends_with(".localhost")
        }
        None => false,
    }
}

/// A base URL as it may be quoted in an error: not at all when it may hold credentials
/// (an `@` anywhere: `https://u:pa/ss@host` must not be shown either), a query or a
/// fragment (`?token=…`), and escaped otherwise.
fn quotable(input: &str) -> String {
    if input.contains(['@', '?', '#']) {
        "the base URL (not shown: it may contain credentials)".to_owned()
    } else {
        format!("{input:?}")
    }
}

/// Builds a [`crate::Client`]; start with [`crate::Client::builder`].
#[derive(Clone, Debug, Default)]
pub struct ClientBuilder {
    base_url: Option<Result<BaseUrl, Error>>,
    credentials: Option<Result<Credentials, Error>>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
}

impl ClientBuilder {
    /// Connects to `https://{system}.thulium.com/api`.
    pub fn system(mut self, system: &str) -> Self {
        self.base_url = Some(BaseUrl::for_system(system));
        self
    }

    /// Connects to a full base URL (self-hosted systems, the simulator).
    pub fn base_url(mut self, base_url: &str) -> Self {
        self.base_url = Some(BaseUrl::parse(base_url));
        self
    }

    /// The API user and password (HTTP Basic auth).
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.credentials = Some(Credentials::new(user, password));
        self
    }

    /// The longest a request may take, connection and whole body included
    /// ([`DEFAULT_TIMEOUT`] unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How requests are retried ([`RetryPolicy::default`] unless set;
    /// [`RetryPolicy::none`] turns retries off).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Reads `THULIUM_SYSTEM` or `THULIUM_BASE_URL` (the latter wins), `THULIUM_API_USER`
    /// and `THULIUM_API_PASSWORD`, where set and not empty. A user without a password is
    /// an error at [`ClientBuilder::build`], not an empty password.
    pub fn from_env(mut self) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(system) = var(ENV_SYSTEM) {
            self = self.system(&system);
        }
        if let Some(base_url) = var(ENV_BASE_URL) {
            self = self.base_url(&base_url);
        }
        if let Some(user) = var(ENV_API_USER) {
            self.credentials = Some(match std::env::var(ENV_API_PASSWORD) {
                Ok(password) => Credentials::new(user, password),
                Err(_) => Err(Error::config(
                    "api_password",
                    format!("{ENV_API_USER} is set but {ENV_API_PASSWORD} is not (or not UTF-8)"),
                )),
            });
        }
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<crate::Client, Error> {
        let base_url = self.base_url.unwrap_or_else(|| {
            Err(Error::config(
                "base_url",
                format!("no Thulium system given: set a system name ({ENV_SYSTEM}) or a base URL ({ENV_BASE_URL})"),
            ))
        })?;
        let credentials = self.credentials.unwrap_or_else(|| {
            Err(Error::config("api_user", format!("no API user given ({ENV_API_USER})")))
        })?;
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if timeout.is_zero() {
            return Err(Error::config("timeout", "the timeout must be longer than zero"));
        }
        let retry = self.retry.unwrap_or_default();
        if retry.max_attempts == 0 {
            return Err(Error::config("retry", "max_attempts must be at least 1 (1 = no retries)"));
        }
        crate::Client::from_parts(base_url, credentials, timeout, retry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(input: &str) -> String {
        BaseUrl::parse(input).map(|u| u.0).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn base_urls_are_normalised() {
        assert_eq!(url("https://acme.thulium.com"), "https://acme.thulium.com/api");
        assert_eq!(url("https://acme.thulium.com/"), "https://acme.thulium.com/api");
        assert_eq!(url("https://acme.thulium.com/api"), "https://acme.thulium.com/api");
        assert_eq!(url("https://acme.thulium.com/api/"), "https://acme.thulium.com/api");
        assert_eq!(url("https://acme.thulium.com//api//"), "https://acme.thulium.com/api");
        assert_eq!(url(" http://127.0.0.1:8080/x/ "), "http://127.0.0.1:8080/x/api");
        assert_eq!(url("HTTPS://ACME.thulium.com:443/api"), "https://acme.thulium.com/api");
    }

    #[test]
    fn bad_base_urls_are_refused_without_echoing_credentials() {
        assert!(url("acme.thulium.com").contains("no http:// or https:// scheme"));
        assert!(url("ftp://acme.thulium.com").contains("scheme"));
        let with_credentials = url("https://user:hunter2@acme.thulium.com/api");
        assert!(with_credentials.contains("contains credentials"), "{with_credentials}");
        assert!(!with_credentials.contains("hunter2"));
        for hostile in [
            "https://user:hunter2@[/api",
            "http://user:hun/ter2@127.0.0.1:1/api",
            "http://user:hun#ter2@127.0.0.1:1/api",
            "http://user:hun?ter2@127.0.0.1:1/api",
            "http://h/api?token=hunter2",
            "http://h/api#hunter2",
            "hunter2@acme.thulium.com",
        ] {
            let message = url(hostile);
            assert!(message.starts_with("error:"), "{hostile} was accepted: {message}");
            assert!(!message.contains("ter2"), "{message}");
        }
        assert!(url("https://acme.thulium.com/api?x=1").contains("query"));
    }

    #[test]
    fn system_names() {
        assert_eq!(BaseUrl::for_system("Acme").unwrap().0, "https://acme.thulium.com/api");
        assert!(BaseUrl::for_system("acme.evil.com/x").is_err());
        let url_as_system =
            BaseUrl::for_system("https://api_user:hunter2@acme.thulium.com").unwrap_err();
        assert!(!url_as_system.to_string().contains("hunter2"), "{url_as_system}");
        assert!(BaseUrl::for_system("").is_err());
    }

    #[test]
    fn credentials_are_checked_and_never_printed() {
        assert!(Credentials::new("a:b", "p").is_err());
        assert!(Credentials::new("", "p").is_err());
        let credentials = Credentials::new("zażółć", "pa:ss").unwrap();
        assert!(!format!("{credentials:?}").contains("pa:ss"));
        let header = credentials.header();
        assert!(header.is_sensitive());
        assert_eq!(
            crate::basic_auth::decode(header.as_bytes()),
            Some(("zażółć".to_owned(), "pa:ss".to_owned()))
        );
    }

    #[test]
    fn loopback_detection() {
        assert!(BaseUrl::parse("http://127.0.0.1:1/api").unwrap().is_loopback());
        assert!(BaseUrl::parse("http://localhost:1").unwrap().is_loopback());
        assert!(BaseUrl::parse("http://[::1]:1").unwrap().is_loopback());
        assert!(BaseUrl::parse("http://[::ffff:127.0.0.1]:1").unwrap().is_loopback());
        assert!(BaseUrl::parse("http://localhost.:1").unwrap().is_loopback());
        assert!(!BaseUrl::for_system("acme").unwrap().is_loopback());
    }
}
