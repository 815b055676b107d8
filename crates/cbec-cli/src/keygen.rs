//! `cbec keygen --alg sm2|rsa --out DIR [--subject DN] [--days N] [--ca DIR] [--is-ca]`
//!
//! Makes a signing key and its certificate for tests, the sandbox and
//! enterprise integration: DIR/key.pem (unencrypted PKCS#8) and
//! DIR/cert.pem. With `--ca DIR` the certificate is issued by the CA kept in
//! DIR (its key.pem and cert.pem, made with `--is-ca`); without, it is
//! self-signed. `--is-ca` makes a CA certificate (basicConstraints cA=TRUE,
//! keyUsage keyCertSign and cRLSign) that `--ca` and `cbec verify --trust`
//! can use; otherwise the certificate is an end-entity signing certificate
//! (digitalSignature, nonRepudiation). RSA keys are 2048-bit and RSA issuers
//! sign with SHA-256; SM2 issuers sign with SM3withSM2. OpenSSL 3 reads both.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use cbec_dsig::{Certificate, CertificateParams, KeyAlgorithm, SigningKey};
use rand::Rng as _;

use crate::Outcome;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum AlgArg {
    /// SM2 (GB/T 32918), the national algorithm.
    Sm2,
    /// RSA, 2048-bit.
    Rsa,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Key algorithm.
    #[arg(long, value_enum)]
    alg: AlgArg,
    /// Directory to write key.pem and cert.pem into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Subject distinguished name, RFC 4514 style, most significant last:
    /// "CN=Example Signer,O=Example Ltd,C=CN".
    #[arg(long)]
    subject: Option<String>,
    /// Validity in days, from --not-before.
    #[arg(long, default_value_t = 365)]
    days: u32,
    /// Start of validity (RFC 3339); default: now, less five minutes of
    /// allowance for clock skew.
    #[arg(long)]
    not_before: Option<String>,
    /// Issue the certificate with the CA in this directory (key.pem and
    /// cert.pem, the certificate made with --is-ca) instead of self-signing.
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Make a CA certificate (basicConstraints cA=TRUE) that can issue
    /// others and serve as a trust anchor (`cbec verify --trust`).
    #[arg(long)]
    is_ca: bool,
    /// Replace key.pem and cert.pem if they exist.
    #[arg(long)]
    force: bool,
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Reads the CA key and certificate kept in `dir`.
pub fn load_ca(dir: &Path) -> anyhow::Result<(Certificate, SigningKey)> {
    let key = SigningKey::from_pkcs8_pem(&read(&dir.join("key.pem"))?)
        .with_context(|| format!("{}: CA key", dir.join("key.pem").display()))?;
    let cert = Certificate::from_pem(&read(&dir.join("cert.pem"))?)
        .with_context(|| format!("{}: CA certificate", dir.join("cert.pem").display()))?;
    Ok((cert, key))
}

fn write_file(path: &Path, text: &str, private: bool) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = opts.open(path).with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))
}

pub fn run(a: Args) -> anyhow::Result<Outcome> {
    let key_path = a.out.join("key.pem");
    let cert_path = a.out.join("cert.pem");
    if !a.force && (key_path.exists() || cert_path.exists()) {
        bail!("{} already holds key.pem or cert.pem (use --force to replace them)", a.out.display());
    }
    let issuer = a.ca.as_deref().map(load_ca).transpose()?;
    let not_before = match &a.not_before {
        Some(t) => crate::verify::parse_rfc3339(t).with_context(|| format!("--not-before {t:?}"))?,
        None => crate::verify::now()?.checked_add_seconds(-300).context("clock out of range")?,
    };
    let not_after = not_before.checked_add_seconds(i64::from(a.days) * 86_400).context("--days is out of range")?;
    let alg = match a.alg {
        AlgArg::Sm2 => KeyAlgorithm::Sm2,
        AlgArg::Rsa => KeyAlgorithm::Rsa,
    };
    let subject = a.subject.clone().unwrap_or_else(|| {
        if a.is_ca { "CN=cbec test CA,O=cbec,C=CN".to_owned() } else { "CN=cbec test signer,O=cbec,C=CN".to_owned() }
    });

    let mut rng = rand::rng();
    let key = SigningKey::generate(alg, &mut rng)?;
    // A positive 64-bit serial with no leading zero byte, so KeyName (its
    // hex) is always 16 digits.
    let mut serial = [0u8; 8];
    rng.fill_bytes(&mut serial);
    serial[0] = (serial[0] & 0x7f).max(1);
    let params = CertificateParams { subject, serial: serial.to_vec(), not_before, not_after, is_ca: a.is_ca };
    let cert = cbec_dsig::cert::issue(&params, &key, issuer.as_ref().map(|(c, k)| (c, k)))?;

    std::fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    write_file(&key_path, &key.to_pkcs8_pem()?, true)?;
    write_file(&cert_path, &cert.to_pem(), false)?;
    println!(
        "{}: {} {} certificate, serial {}, subject {}, valid {} to {}, {}",
        a.out.display(),
        alg,
        if a.is_ca { "CA" } else { "signing" },
        cert.serial_hex(),
        cert.subject(),
        cert.not_before(),
        cert.not_after(),
        match &issuer {
            Some((ca, _)) => format!("issued by {}", ca.subject()),
            None => "self-signed".to_owned(),
        }
    );
    Ok(Outcome::Ok)
}
