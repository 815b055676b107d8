//! `cbec sign --key KEY.pem --cert CERT.pem [--alg ALG] [--digest D] IN.xml [-o OUT.xml]`
//!
//! Signs a CEB message as a China E-Port UKey does (enveloped XML-DSig over
//! the whole document, `ds:Signature` where the message's XSD puts it).
//! Defaults follow the real UKeys: an SM2 key signs `sm2-sm3` over a SHA-1
//! document digest, an RSA key `rsa-sha1` with SHA-1. Exit 0 when signed,
//! 1 when the message cannot be signed (not XML, already signed), 2 for
//! usage and I/O errors (unreadable key or certificate included).

use std::path::PathBuf;

use anyhow::Context as _;
use cbec_ceb::Limits;
use cbec_dsig::{Certificate, DigestAlgorithm, Method, SignOptions, SignatureAlgorithm, Signer, SigningKey};

use crate::Outcome;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum AlgArg {
    /// SM2 with SM3 (SignatureMethod http://www.w3.org/2000/09/xmldsig#sm2-sm3).
    #[value(name = "sm2-sm3")]
    Sm2Sm3,
    /// RSA PKCS#1 v1.5 with SHA-1.
    #[value(name = "rsa-sha1")]
    RsaSha1,
    /// RSA PKCS#1 v1.5 with SHA-256.
    #[value(name = "rsa-sha256")]
    RsaSha256,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DigestArg {
    Sha1,
    Sha256,
    /// SM3 (DigestMethod http://www.chinaport.gov.cn/2022/04/xmldsig#sm3).
    Sm3,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum C14nArg {
    /// Canonical XML 1.0 (what the spec names).
    Inclusive,
    InclusiveWithComments,
    /// Exclusive XML Canonicalization 1.0.
    Exclusive,
    ExclusiveWithComments,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The signer's private key (PEM, unencrypted PKCS#8).
    #[arg(long)]
    key: PathBuf,
    /// The signer's certificate (PEM); it goes into KeyInfo, its serial
    /// into KeyName.
    #[arg(long)]
    cert: PathBuf,
    /// Signature algorithm; default sm2-sm3 for an SM2 key, rsa-sha1 for
    /// an RSA key.
    #[arg(long, value_enum)]
    alg: Option<AlgArg>,
    /// Digest of the document; default sha1 (what real UKeys send).
    #[arg(long, value_enum)]
    digest: Option<DigestArg>,
    /// Canonicalization of SignedInfo (and, when exclusive, of the
    /// document).
    #[arg(long, value_enum, default_value = "inclusive")]
    c14n: C14nArg,
    /// Write the signed message here instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The message to sign (UTF-8).
    input: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<Outcome> {
    let read = |p: &PathBuf| std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()));
    let key = SigningKey::from_pkcs8_pem(&read(&a.key)?).with_context(|| format!("{}", a.key.display()))?;
    let cert = Certificate::from_pem(&read(&a.cert)?).with_context(|| format!("{}", a.cert.display()))?;
    let mut options = SignOptions::for_key(key.algorithm());
    if let Some(alg) = a.alg {
        options.algorithm = match alg {
            AlgArg::Sm2Sm3 => SignatureAlgorithm::Sm2Sm3,
            AlgArg::RsaSha1 => SignatureAlgorithm::RsaSha1,
            AlgArg::RsaSha256 => SignatureAlgorithm::RsaSha256,
        };
    }
    if let Some(d) = a.digest {
        options.digest = match d {
            DigestArg::Sha1 => DigestAlgorithm::Sha1,
            DigestArg::Sha256 => DigestAlgorithm::Sha256,
            DigestArg::Sm3 => DigestAlgorithm::Sm3,
        };
    }
    options.canonicalization = match a.c14n {
        C14nArg::Inclusive => Method::Inclusive,
        C14nArg::InclusiveWithComments => Method::InclusiveWithComments,
        C14nArg::Exclusive => Method::Exclusive { inclusive_prefixes: Vec::new() },
        C14nArg::ExclusiveWithComments => Method::ExclusiveWithComments { inclusive_prefixes: Vec::new() },
    };
    let signer = Signer::new(key, cert, options).context("key and certificate")?;
    let bytes = std::fs::read(&a.input).with_context(|| format!("cannot read {}", a.input.display()))?;
    let signed = match signer.sign_bytes(&bytes, &Limits::default()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cbec: {}: cannot sign [{}]: {e}", a.input.display(), e.code());
            return Ok(Outcome::Failed);
        }
    };
    match &a.output {
        Some(p) => std::fs::write(p, signed.as_bytes()).with_context(|| format!("cannot write {}", p.display()))?,
        None => {
            use std::io::Write as _;
            std::io::stdout().lock().write_all(signed.as_bytes()).context("cannot write to standard output")?;
        }
    }
    Ok(Outcome::Ok)
}
