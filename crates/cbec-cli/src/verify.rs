//! `cbec verify [--cert CERT.pem]... [--serial HEX]... [--trust CA.pem]... [--at RFC3339] [--format text|json] FILE...`
//!
//! Verifies the enveloped signature of each message. With `--cert` the
//! signing certificate must be one of those given; with `--serial` its
//! serial (what KeyName carries) must be one of those given; with `--trust`
//! it must chain to one of the given CA certificates. Validity periods are
//! checked at `--at` (default: now). With none of these the embedded
//! certificate is taken at its word, and the output says so ("UNTRUSTED").
//! Exit 0 when every file verifies, 1 when any fails, 2 for usage and I/O
//! errors.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use cbec_ceb::Limits;
use cbec_dsig::{Certificate, Details, Pin, Policy, Trust, TrustStore, UtcTime, Verifier};

use crate::Outcome;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accept only signatures made with this certificate (PEM; repeatable).
    #[arg(long = "cert")]
    certs: Vec<PathBuf>,
    /// Accept only certificates with this serial number, hex as in KeyName
    /// (repeatable).
    #[arg(long = "serial")]
    serials: Vec<String>,
    /// Trust anchors: the signing certificate must chain to one of these CA
    /// certificates (PEM, a file may hold several; repeatable).
    #[arg(long = "trust")]
    trust: Vec<PathBuf>,
    /// Check validity periods at this time (RFC 3339, e.g.
    /// 2025-06-01T12:00:00+08:00) instead of now.
    #[arg(long)]
    at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Signed messages.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// One line of the report.
#[derive(serde::Serialize)]
struct FileReport {
    file: String,
    valid: bool,
    /// Stable diagnostic code; null when valid.
    code: Option<&'static str>,
    /// The spec's transport error code (1001, 1002, 1004, 0001); null when
    /// valid.
    spec_code: Option<String>,
    message: String,
    algorithm: Option<&'static str>,
    algorithm_uri: Option<String>,
    digest_algorithm: Option<&'static str>,
    digest_uri: Option<String>,
    key_name: Option<String>,
    subject: Option<String>,
    issuer: Option<String>,
    serial: Option<String>,
    /// `chained`, `pinned` or `untrusted`; null when invalid.
    trust: Option<&'static str>,
    /// The anchor the certificate chains to.
    anchor: Option<String>,
}

impl FileReport {
    fn new(file: String, valid: bool, message: String, d: Details) -> Self {
        FileReport {
            file,
            valid,
            code: None,
            spec_code: None,
            message,
            algorithm: d.algorithm.map(|a| a.name()),
            algorithm_uri: d.algorithm_uri,
            digest_algorithm: d.digest_algorithm.map(|a| a.name()),
            digest_uri: d.digest_uri,
            key_name: d.key_name,
            subject: d.subject,
            issuer: d.issuer,
            serial: d.serial,
            trust: None,
            anchor: None,
        }
    }
}

/// The current time, read from the system clock (the library never does).
pub fn now() -> anyhow::Result<UtcTime> {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).context("the clock is before 1970")?;
    Ok(UtcTime::from_unix_seconds(i64::try_from(d.as_secs()).context("the clock is out of range")?))
}

fn digits(s: &str, what: &str) -> anyhow::Result<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        bail!("{what} {s:?} is not a number");
    }
    s.parse().with_context(|| format!("{what} {s:?}"))
}

/// Parses an RFC 3339 date-time (`2025-06-01T12:00:00Z`,
/// `2025-06-01 12:00:00.5+08:00`); a bare date means its midnight UTC.
pub fn parse_rfc3339(s: &str) -> anyhow::Result<UtcTime> {
    let s = s.trim();
    let expected = "expected RFC 3339, e.g. 2025-06-01T12:00:00Z or 2025-06-01T20:00:00+08:00";
    let (date, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut d = date.split('-');
    let (Some(y), Some(mo), Some(da), None) = (d.next(), d.next(), d.next(), d.next()) else {
        bail!("{s:?}: {expected}");
    };
    if y.len() != 4 || mo.len() != 2 || da.len() != 2 {
        bail!("{s:?}: {expected}");
    }
    let (y, mo, da) = (digits(y, "year")?, digits(mo, "month")?, digits(da, "day")?);
    let (h, mi, se, offset) = match rest {
        None => (0, 0, 0, 0i64),
        Some(t) => {
            let (clock, offset) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
                (c, 0)
            } else if let Some(i) = t.rfind(['+', '-']) {
                let (c, o) = t.split_at(i);
                let sign = if o.starts_with('-') { -1 } else { 1 };
                let Some((oh, om)) = o[1..].split_once(':') else { bail!("{s:?}: bad offset; {expected}") };
                (c, sign * i64::from(digits(oh, "offset hours")? * 3600 + digits(om, "offset minutes")? * 60))
            } else {
                bail!("{s:?}: no time zone (Z or ±hh:mm); {expected}");
            };
            let clock = clock.split_once('.').map_or(clock, |(c, _fraction)| c);
            let mut c = clock.split(':');
            let (Some(h), Some(mi), Some(se), None) = (c.next(), c.next(), c.next(), c.next()) else {
                bail!("{s:?}: {expected}");
            };
            (digits(h, "hour")?, digits(mi, "minute")?, digits(se, "second")?.min(59), offset)
        }
    };
    let local = UtcTime::from_civil(i64::from(y), mo, da, h, mi, se).with_context(|| format!("{s:?}: no such date"))?;
    local.checked_add_seconds(-offset).with_context(|| format!("{s:?}: out of range"))
}

fn read(p: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
}

pub fn run(a: Args) -> anyhow::Result<Outcome> {
    let at = match &a.at {
        Some(t) => parse_rfc3339(t).with_context(|| format!("--at {t:?}"))?,
        None => now()?,
    };
    let mut policy = Policy::embedded();
    for p in &a.certs {
        let cert = Certificate::from_pem(&read(p)?).with_context(|| format!("--cert {}", p.display()))?;
        policy = policy.pin(Pin::Certificate(cert));
    }
    for s in &a.serials {
        if s.is_empty() || !s.trim_start_matches("0x").chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            bail!("--serial {s:?} is not a hexadecimal serial number");
        }
        policy = policy.pin(Pin::Serial(s.clone()));
    }
    if !a.trust.is_empty() {
        let mut anchors = Vec::new();
        for p in &a.trust {
            let certs = Certificate::from_pem_all(&read(p)?).with_context(|| format!("--trust {}", p.display()))?;
            if certs.is_empty() {
                bail!("--trust {}: no CERTIFICATE in the file", p.display());
            }
            anchors.extend(certs);
        }
        policy = policy.trust(TrustStore::new(anchors));
    }
    let verifier = Verifier::new(policy);

    // Read every file first: an unreadable file is an I/O error (exit 2),
    // reported before any verdict.
    let mut inputs = Vec::with_capacity(a.files.len());
    for f in &a.files {
        inputs.push((f, std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?));
    }
    let limits = Limits::default();
    let mut reports = Vec::with_capacity(inputs.len());
    for (f, bytes) in &inputs {
        let file = f.display().to_string();
        reports.push(match verifier.verify_bytes(bytes, &limits, at) {
            Ok(r) => {
                let (trust, anchor, how) = match &r.trust {
                    Trust::Chained { anchor } => ("chained", Some(anchor.clone()), format!("chains to {anchor}")),
                    Trust::Pinned => ("pinned", None, "matches a pinned certificate".to_owned()),
                    Trust::Untrusted => (
                        "untrusted",
                        None,
                        "UNTRUSTED: valid under the embedded certificate, which nothing vouches for (use --cert, --serial or --trust)"
                            .to_owned(),
                    ),
                };
                let message = format!("signature valid; certificate {}", how);
                let mut rep = FileReport::new(file, true, message, r.details);
                rep.trust = Some(trust);
                rep.anchor = anchor;
                rep
            }
            Err(rej) => {
                let mut rep = FileReport::new(file, false, rej.error.to_string(), *rej.details);
                rep.code = Some(rej.error.code().as_str());
                rep.spec_code = Some(format!("{:04}", rej.error.spec_code()));
                rep
            }
        });
    }

    let all_valid = reports.iter().all(|r| r.valid);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &reports)?;
            writeln!(out)?;
        }
        Format::Text => {
            for r in &reports {
                let alg = match (r.algorithm, r.digest_algorithm) {
                    (Some(s), Some(d)) => format!("{s}, digest {d}"),
                    _ => "algorithm unknown".to_owned(),
                };
                let who = match (&r.subject, &r.serial) {
                    (Some(s), Some(n)) => format!("; signer {s}, serial {n}"),
                    _ => String::new(),
                };
                if r.valid {
                    writeln!(out, "{}: valid ({alg}{who}): {}", r.file, r.message)?;
                } else {
                    writeln!(
                        out,
                        "{}: INVALID [{} / {}] {}{}",
                        r.file,
                        r.code.unwrap_or(""),
                        r.spec_code.as_deref().unwrap_or(""),
                        r.message,
                        if who.is_empty() { String::new() } else { format!(" ({alg}{who})") }
                    )?;
                }
            }
        }
    }
    Ok(if all_valid { Outcome::Ok } else { Outcome::Failed })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        let t = |s: &str| parse_rfc3339(s).unwrap().to_string();
        assert_eq!(t("2025-06-01T12:00:00Z"), "2025-06-01T12:00:00Z");
        assert_eq!(t("2025-06-01T20:00:00+08:00"), "2025-06-01T12:00:00Z");
        assert_eq!(t("2025-06-01t04:30:00.123-07:30"), "2025-06-01T12:00:00Z");
        assert_eq!(t("2025-06-01"), "2025-06-01T00:00:00Z");
        for bad in ["2025-06-01T12:00:00", "2025-13-01T00:00:00Z", "2025-6-1", "yesterday", "2025-02-30T00:00:00Z"] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }
}
