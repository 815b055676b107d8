//! A small HTTP/1.1 client for `cbec bench web`: one loopback connection
//! per request (`Connection: close`), the whole answer read and de-chunked,
//! so a timing covers what a browser waits for on the server's side: the
//! connection, the handler, the page and its transfer.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::Context as _;

/// How long one request may take before the benchmark gives up.
const TIMEOUT: Duration = Duration::from_secs(120);

/// An answer.
pub struct Reply {
    pub status: u16,
    /// The status line and the headers.
    pub head: String,
    pub body: String,
}

impl Reply {
    /// The value a `Set-Cookie` header gives the cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            if !k.trim().eq_ignore_ascii_case("set-cookie") {
                return None;
            }
            let (n, rest) = v.trim().split_once('=')?;
            (n == name).then(|| rest.split(';').next().unwrap_or_default().to_owned())
        })
    }

    /// The body as JSON.
    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        serde_json::from_str(&self.body).with_context(|| format!("not JSON (status {}): {}", self.status, self.body))
    }
}

/// One request to `addr`; `headers` are added as given.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> anyhow::Result<Reply> {
    let mut s = TcpStream::connect(addr).with_context(|| format!("cannot connect to {addr}"))?;
    s.set_read_timeout(Some(TIMEOUT))?;
    s.set_write_timeout(Some(TIMEOUT))?;
    s.set_nodelay(true)?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    s.write_all(&out).with_context(|| format!("{method} {path}: sending"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).with_context(|| format!("{method} {path}: reading the answer"))?;
    let split =
        raw.windows(4).position(|w| w == b"\r\n\r\n").with_context(|| format!("{method} {path}: no headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .with_context(|| format!("{method} {path}: no status in {head:?}"))?;
    let rest = &raw[split + 4..];
    let chunked = head.lines().any(|l| {
        l.split_once(':').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("transfer-encoding") && v.trim().eq_ignore_ascii_case("chunked")
        })
    });
    let body = if chunked { dechunk(rest)? } else { rest.to_vec() };
    Ok(Reply { status, head, body: String::from_utf8_lossy(&body).into_owned() })
}

/// The body of a chunked answer.
fn dechunk(mut rest: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(rest.len());
    loop {
        let eol = rest.windows(2).position(|w| w == b"\r\n").context("a chunk size line without its end")?;
        let size = std::str::from_utf8(&rest[..eol]).unwrap_or_default();
        let size = size.split(';').next().unwrap_or_default().trim();
        let n = usize::from_str_radix(size, 16).with_context(|| format!("a bad chunk size {size:?}"))?;
        rest = &rest[eol + 2..];
        if n == 0 {
            return Ok(out);
        }
        anyhow::ensure!(rest.len() >= n, "a chunk is cut short");
        out.extend_from_slice(&rest[..n]);
        rest = rest.get(n + 2..).unwrap_or_default();
    }
}

/// `application/x-www-form-urlencoded` of name/value pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// Percent-encoding of a URL query value or form field.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").unwrap(), b"abcde");
        assert!(dechunk(b"z\r\nabc").is_err());
        assert!(dechunk(b"9\r\nabc\r\n").is_err());
    }

    #[test]
    fn forms_are_encoded() {
        assert_eq!(form(&[("name", "a b"), ("csrf", "x/y=")]), "name=a%20b&csrf=x%2Fy%3D");
    }
}
