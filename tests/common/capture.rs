//! A loopback HTTP/1.1 server that records each request and answers with canned
//! responses, in order (the last one repeats). Raw tokio, so a test sees the request
//! exactly as it went over the wire.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

/// One canned answer.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete response.
    Full { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Headers promising a body that never comes.
    StallBody { status: u16 },
    /// Nothing at all.
    Silence,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Reply::raw(status, Some("application/json"), body.as_bytes())
    }

    pub fn raw(status: u16, content_type: Option<&str>, body: &[u8]) -> Self {
        let headers = content_type
            .map(|t| vec![("Content-Type".to_owned(), t.to_owned())])
            .unwrap_or_default();
        Reply::Full { status, headers, body: body.to_vec() }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }
}

/// A request as received.
#[derive(Clone, Debug)]
pub struct Captured {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Captured {
    /// For snapshots: the body as JSON when it is JSON, and without the headers that
    /// change from run to run (`host` holds the port).
    pub fn to_json(&self) -> Value {
        let mut headers = self.headers.clone();
        headers.remove("host");
        let body = if self.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&self.body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.body).into_owned()))
        };
        json!({ "method": self.method, "path": self.path, "query": self.query, "headers": headers, "body": body })
    }
}

pub struct CaptureServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Captured>>>,
    task: JoinHandle<()>,
}

impl CaptureServer {
    pub async fn start(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let task = tokio::spawn(async move {
            let mut n = 0;
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let reply = replies[n.min(replies.len() - 1)].clone();
                n += 1;
                let seen = seen.clone();
                tokio::spawn(async move { serve(stream, reply, seen).await });
            }
        });
        CaptureServer { addr, requests, task }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// An SDK client for this server, with the documentation's sample credentials.
    pub fn client(&self) -> thulium_webhooks::Client {
        thulium_webhooks::Client::builder()
            .base_url(&self.base_url())
            .credentials("api_user", "api_pass")
            .build()
            .unwrap()
    }

    pub fn requests(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for CaptureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, reply: Reply, seen: Arc<Mutex<Vec<Captured>>>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    seen.lock().unwrap().push(request);
    match reply {
        Reply::Full { status, headers, body } => {
            let mut head = format!(
                "HTTP/1.1 {status} Canned\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
            let _ = stream.shutdown().await;
        }
        Reply::StallBody { status } => {
            let head = format!(
                "HTTP/1.1 {status} Canned\r\nContent-Length: 1000\r\nContent-Type: application/json\r\n\r\n["
            );
            let _ = stream.write_all(head.as_bytes()).await;
            std::future::pending::<()>().await;
        }
        Reply::Silence => std::future::pending::<()>().await,
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Captured> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (target, None),
    };
    Some(Captured { method, path, query, headers, body })
}
