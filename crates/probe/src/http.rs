//! Running an HTTP target: a minimal HTTP/1.1 client over `std::net` (one request per
//! connection, `Connection: close`), loopback addresses only unless the caller allows
//! remote ones, a timeout and a body cap.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::{Error, Termination};

/// How an HTTP target is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpTarget {
    /// `http://HOST:PORT[/PREFIX]`.
    pub base_url: String,
    pub timeout_ms: u64,
    pub output_cap: usize,
}

/// Headers whose values change from response to response (Keploy's and Diffy's
/// lists); they are left out of fingerprints.
pub const VOLATILE_HEADERS: &[&str] = &[
    "age",
    "connection",
    "content-length",
    "date",
    "etag",
    "expires",
    "keep-alive",
    "last-modified",
    "request-id",
    "set-cookie",
    "transfer-encoding",
    "x-request-id",
    "x-response-time",
];

/// A parsed base URL.
#[derive(Debug, Clone)]
pub struct Endpoint {
    host: String,
    addr: SocketAddr,
    prefix: String,
}

impl HttpTarget {
    /// The base URL's path (`/api` of `http://127.0.0.1:3000/api/`), or empty.
    pub fn path_prefix(&self) -> &str {
        let rest = self
            .base_url
            .strip_prefix("http://")
            .unwrap_or(&self.base_url);
        rest.find('/')
            .map_or("", |i| rest[i..].trim_end_matches('/'))
    }

    /// Resolves the base URL and refuses an address that is not loopback unless
    /// `allow_remote`.
    pub fn endpoint(&self, allow_remote: bool) -> Result<Endpoint, Error> {
        let url = &self.base_url;
        let Some(rest) = url.strip_prefix("http://") else {
            return Err(Error::Input(format!(
                "`{url}` is not an http:// URL (only plain HTTP on loopback is probed)"
            )));
        };
        let (authority, prefix) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        if authority.is_empty() {
            return Err(Error::Input(format!("`{url}` names no host")));
        }
        let has_port = if authority.starts_with('[') {
            authority.contains("]:")
        } else {
            authority.contains(':')
        };
        let with_port = if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        let addrs: Vec<SocketAddr> = with_port
            .to_socket_addrs()
            .map_err(|e| Error::Input(format!("cannot resolve `{authority}`: {e}")))?
            .collect();
        let Some(addr) = addrs.first().copied() else {
            return Err(Error::Input(format!(
                "`{authority}` resolves to no address"
            )));
        };
        if !allow_remote && addrs.iter().any(|a| !a.ip().is_loopback()) {
            return Err(Error::Input(format!(
                "`{url}` is not a loopback address ({}); only services on this machine are probed unless --allow-remote is given",
                addr.ip()
            )));
        }
        Ok(Endpoint {
            host: authority.to_owned(),
            addr,
            prefix: prefix.to_owned(),
        })
    }
}

/// One response, before normalisation.
#[derive(Debug, Clone)]
pub struct Response {
    pub termination: Termination,
    /// Lower-case names → values in order received.
    pub headers: BTreeMap<String, Vec<String>>,
    pub body: Vec<u8>,
    pub duration: Duration,
}

impl Endpoint {
    /// Sends one request.
    pub fn send(
        &self,
        target: &HttpTarget,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Response {
        self.send_with(target, method, path, body, &[])
    }

    /// Sends one request with extra header lines (`("Authorization", "Bearer …")`).
    pub fn send_with(
        &self,
        target: &HttpTarget,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, String)],
    ) -> Response {
        let started = Instant::now();
        let timeout = Duration::from_millis(target.timeout_ms);
        let fail = |t: Termination| Response {
            termination: t,
            headers: BTreeMap::new(),
            body: Vec::new(),
            duration: started.elapsed(),
        };
        let mut stream = match TcpStream::connect_timeout(&self.addr, timeout) {
            Ok(s) => s,
            Err(e) => {
                return fail(Termination::SpawnError {
                    message: format!("connection failed: {}", e.kind()),
                });
            }
        };
        let _ = stream.set_read_timeout(Some(timeout));
        let _ = stream.set_write_timeout(Some(timeout));
        let body = body.unwrap_or_default();
        let request = format!(
            "{method} {}{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAccept: */*\r\nUser-Agent: friction-probe\r\n{}{}Content-Length: {}\r\n\r\n{body}",
            self.prefix,
            self.host,
            headers
                .iter()
                .map(|(k, v)| format!("{k}: {v}\r\n"))
                .collect::<String>(),
            if body.is_empty() {
                ""
            } else {
                "Content-Type: application/json\r\n"
            },
            body.len()
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return fail(Termination::SpawnError {
                message: "the request could not be sent".into(),
            });
        }
        let mut raw = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        let mut flooded = false;
        loop {
            if started.elapsed() > timeout {
                return fail(Termination::Timeout);
            }
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    raw.extend_from_slice(&buf[..n]);
                    if raw.len() > target.output_cap {
                        flooded = true;
                        break;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return fail(Termination::Timeout);
                }
                Err(_) => break,
            }
        }
        if flooded {
            return fail(Termination::Flood);
        }
        match parse_response(&raw) {
            Some((status, headers, body)) => Response {
                termination: Termination::Http { status },
                headers,
                body,
                duration: started.elapsed(),
            },
            None => fail(Termination::SpawnError {
                message: "the reply is not HTTP/1.x".into(),
            }),
        }
    }
}

type Parsed = (u16, BTreeMap<String, Vec<String>>, Vec<u8>);

fn parse_response(raw: &[u8]) -> Option<Parsed> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    if !status_line.starts_with("HTTP/1.") {
        return None;
    }
    let status: u16 = status_line.split_whitespace().nth(1)?.parse().ok()?;
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            headers
                .entry(name.trim().to_ascii_lowercase())
                .or_default()
                .push(value.trim().to_owned());
        }
    }
    let body = &raw[end + 4..];
    let chunked = headers
        .get("transfer-encoding")
        .is_some_and(|v| v.iter().any(|x| x.eq_ignore_ascii_case("chunked")));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_vec()
    };
    Some((status, headers, body))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        data = &data[eol + 2..];
        if size == 0 || size > data.len() {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or_default();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> HttpTarget {
        HttpTarget {
            base_url: url.into(),
            timeout_ms: 1000,
            output_cap: 1 << 20,
        }
    }

    #[test]
    fn non_loopback_addresses_are_refused() {
        let e = target("http://192.0.2.1:8080").endpoint(false).unwrap_err();
        assert!(e.to_string().contains("not a loopback address"), "{e}");
        assert!(target("http://192.0.2.1:8080").endpoint(true).is_ok());
        assert!(target("http://127.0.0.1:9/api").endpoint(false).is_ok());
        assert!(target("https://127.0.0.1:9").endpoint(false).is_err());
    }

    #[test]
    fn chunked_bodies_are_joined() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let (status, _, body) = parse_response(raw).unwrap();
        assert_eq!(status, 200);
        assert_eq!(body, b"abcde");
    }
}
