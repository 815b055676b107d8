//! `cbec admin …`: administrative steps on the database directly, for
//! bootstrapping an install, onboarding and migration. Each goes through the
//! same rules as the API and lands in the audit log as `system:admin-cli`.

use std::path::PathBuf;

use anyhow::{Context as _, anyhow};
use cbec_model::filing::{ApplicationKind, CreditRating, EnterpriseType, LicenceKind, Role, Trade, WarehouseNature};
use cbec_server::error::ApiError;
use cbec_store::{Actor, Millis, NewOfficer, NewToken, Principal, Store};
use serde_json::json;

use crate::Outcome;

const WHO: &str = "admin-cli";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Create an officer and print its first API token (on the last line).
    CreateOfficer {
        #[arg(long, default_value = crate::serve::DEFAULT_DB)]
        db: String,
        /// reviewer, risk_officer, supervisor or administrator.
        #[arg(long)]
        role: Role,
        #[arg(long)]
        name: String,
    },
    /// File and approve an enterprise in one step; prints its API token on
    /// the last line. Refused (exit 1) when the filing rules refuse it.
    FileEnterprise(FileEnterprise),
    /// File and approve an export overseas warehouse model record for a
    /// filed enterprise. Refused (exit 1) for an enterprise not filed with a
    /// CBEC type or rated below general credit.
    FileOverseasWarehouse(FileWarehouse),
    /// Read a password from standard input (one line) and set it as the web
    /// sign-in password of an officer (by name) or an enterprise (by its
    /// customs code or USCC). Exit 1 for an unknown name or a password
    /// shorter than 10 characters.
    SetPassword {
        #[arg(long, default_value = crate::serve::DEFAULT_DB)]
        db: String,
        /// An officer's name, else an enterprise's customs code or USCC.
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, clap::Args)]
struct FileEnterprise {
    #[arg(long, default_value = crate::serve::DEFAULT_DB)]
    db: String,
    /// The 10-character customs code or the 18-character unified social
    /// credit code.
    #[arg(long)]
    code: String,
    #[arg(long)]
    name: String,
    /// Comma-separated: ebc, agent, ebp, pay, logistics, operator, warehouse.
    #[arg(long, value_delimiter = ',', required = true)]
    types: Vec<EnterpriseType>,
    #[arg(long, default_value = "general")]
    credit: CreditRatingArg,
    /// A signing certificate to bind (PEM); repeatable.
    #[arg(long)]
    cert: Vec<PathBuf>,
    /// KIND:NUMBER:YYYY-MM-DD (valid to); KIND is payment, bank or express.
    /// A payment licence is taken to cover internet payment (互联网支付).
    #[arg(long)]
    licence: Vec<String>,
    #[arg(long)]
    dxp_id: Option<String>,
    /// The customs district of filing.
    #[arg(long, default_value = "2200")]
    district: String,
    /// import, export or both.
    #[arg(long, default_value = "both")]
    trade: Trade,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CreditRatingArg {
    Advanced,
    GeneralCertified,
    General,
    Dishonest,
}

impl From<CreditRatingArg> for CreditRating {
    fn from(c: CreditRatingArg) -> CreditRating {
        match c {
            CreditRatingArg::Advanced => CreditRating::Advanced,
            CreditRatingArg::GeneralCertified => CreditRating::GeneralCertified,
            CreditRatingArg::General => CreditRating::General,
            CreditRatingArg::Dishonest => CreditRating::Dishonest,
        }
    }
}

#[derive(Debug, clap::Args)]
struct FileWarehouse {
    #[arg(long, default_value = crate::serve::DEFAULT_DB)]
    db: String,
    /// The enterprise's customs code or USCC.
    #[arg(long)]
    code: String,
    #[arg(long)]
    name: String,
    /// 3-digit country code, e.g. 502 (USA).
    #[arg(long)]
    country: String,
    #[arg(long)]
    address: String,
    /// Area in m².
    #[arg(long)]
    area: String,
    #[arg(long)]
    nature: WarehouseNature,
    /// Reference of the lease or title document.
    #[arg(long)]
    document: Option<String>,
}

fn now() -> Millis {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    Millis(i64::try_from(ms).unwrap_or(i64::MAX))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")
}

/// Prints a refusal with its diagnostics; `Ok(Failed)` for rule refusals,
/// `Err` (exit 2) for everything else.
fn refused(e: ApiError) -> anyhow::Result<Outcome> {
    match e {
        ApiError::Refused(diags) | ApiError::InvalidJson { diagnostics: diags, .. } if !diags.is_empty() => {
            eprintln!("cbec: refused: the filing rules do not allow this:");
            for d in diags {
                eprintln!("  {}[{}] {}: {}", if d.is_error() { "error" } else { "warning" }, d.code, d.path, d.message);
            }
            Ok(Outcome::Failed)
        }
        ApiError::Conflict(m) | ApiError::InvalidState(m) | ApiError::BadRequest(m) | ApiError::NotFound(m) => {
            eprintln!("cbec: refused: {m}");
            Ok(Outcome::Failed)
        }
        other => Err(anyhow!("{other}")),
    }
}

pub fn run(a: Args) -> anyhow::Result<Outcome> {
    runtime()?.block_on(async move {
        match a.command {
            Command::CreateOfficer { db, role, name } => create_officer(&db, role, &name).await,
            Command::FileEnterprise(f) => file_enterprise(f).await,
            Command::FileOverseasWarehouse(w) => file_warehouse(w).await,
            Command::SetPassword { db, name } => set_password(&db, &name).await,
        }
    })
}

async fn open(db: &str) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    cbec_store::open(db).await.with_context(|| format!("cannot open the database {db}"))
}

async fn create_officer(db: &str, role: Role, name: &str) -> anyhow::Result<Outcome> {
    let store = open(db).await?;
    if store.officer_by_name(name).await?.is_some() {
        eprintln!("cbec: refused: an officer named {name:?} already exists");
        return Ok(Outcome::Failed);
    }
    let (token, hash) = cbec_server::auth::generate_token().map_err(|e| anyhow!("no randomness: {e}"))?;
    let actor = Actor { principal: Principal::System(WHO.into()), at: now() };
    let officer = store
        .create_officer(
            NewOfficer { name: name.into(), role },
            NewToken { owner: None, hash, label: "first".into() },
            &actor,
        )
        .await?;
    println!(
        "created officer {} ({}), id {}; its API token, shown only this once:",
        officer.name, officer.role, officer.id
    );
    println!("{token}");
    Ok(Outcome::Ok)
}

/// One line of standard input without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("cannot read the password from standard input")?;
    let trimmed = line.strip_suffix('\n').unwrap_or(&line);
    Ok(trimmed.strip_suffix('\r').unwrap_or(trimmed).to_owned())
}

async fn set_password(db: &str, name: &str) -> anyhow::Result<Outcome> {
    let password = read_password()?;
    let min = cbec_server::web::MIN_PASSWORD_CHARS;
    if password.is_empty() {
        eprintln!("cbec: refused: no password on standard input (give one line of at least {min} characters)");
        return Ok(Outcome::Failed);
    }
    if password.chars().count() < min {
        eprintln!("cbec: refused: the password is too short; it needs at least {min} characters");
        return Ok(Outcome::Failed);
    }
    let store = open(db).await?;
    let Some(account) = cbec_server::web::account_by_name(&*store, name).await? else {
        eprintln!("cbec: refused: no officer named {name:?} and no enterprise with customs code or USCC {name:?}");
        return Ok(Outcome::Failed);
    };
    let phc = cbec_server::web::hash_password(&password)?;
    let actor = Actor { principal: Principal::System(WHO.into()), at: now() };
    store.set_password(&account.principal, &phc, &actor).await?;
    println!("password set for {} {} ({})", account.role, account.name, account.principal);
    Ok(Outcome::Ok)
}

async fn file_enterprise(f: FileEnterprise) -> anyhow::Result<Outcome> {
    let store = open(&f.db).await?;
    let (customs_code, uscc) = match f.code.chars().count() {
        10 => (Some(f.code.clone()), None),
        18 => (None, Some(f.code.clone())),
        n => {
            eprintln!(
                "cbec: refused: --code has {n} characters; give the 10-character customs code or the 18-character USCC"
            );
            return Ok(Outcome::Failed);
        }
    };
    let mut licences = Vec::new();
    for l in &f.licence {
        let parts: Vec<&str> = l.splitn(3, ':').collect();
        let [kind, number, valid_to] = parts[..] else {
            return Err(anyhow!("--licence {l:?}: write KIND:NUMBER:YYYY-MM-DD"));
        };
        let kind: LicenceKind = kind.parse().map_err(|e: String| anyhow!("--licence {l:?}: {e}"))?;
        let scope = if kind == LicenceKind::Payment { "互联网支付" } else { "" };
        licences.push(json!({
            "kind": kind, "number": number, "issuer": "", "scope": scope,
            "valid_from": "2000-01-01", "valid_to": valid_to,
        }));
    }
    let mut certificates = Vec::new();
    for c in &f.cert {
        certificates.push(std::fs::read_to_string(c).with_context(|| format!("cannot read {}", c.display()))?);
    }
    let credit: CreditRating = f.credit.into();
    let payload = json!({
        "record": {
            "customs_code": customs_code, "uscc": uscc, "name": f.name,
            "customs_district": f.district, "dxp_id": f.dxp_id,
            "types": f.types, "trade": f.trade,
        },
        "credit": credit,
        "licences": licences,
        "certificates": certificates,
    });
    let t = now();
    let app =
        match cbec_server::filing::submit_and_approve(&*store, ApplicationKind::InitialFiling, None, payload, WHO, t)
            .await
        {
            Ok(app) => app,
            Err(e) => return refused(e),
        };
    let enterprise = app.enterprise_id.ok_or_else(|| anyhow!("the approved filing names no enterprise"))?;
    let (token, hash) = cbec_server::auth::generate_token().map_err(|e| anyhow!("no randomness: {e}"))?;
    let actor = Actor { principal: Principal::System(WHO.into()), at: t };
    store
        .create_token(
            NewToken { owner: Some(Principal::Enterprise(enterprise.clone())), hash, label: "first".into() },
            &actor,
        )
        .await?;
    println!(
        "filed and approved enterprise {} ({}), id {enterprise}; its API token, shown only this once:",
        f.name, f.code
    );
    println!("{token}");
    Ok(Outcome::Ok)
}

async fn file_warehouse(w: FileWarehouse) -> anyhow::Result<Outcome> {
    let store = open(&w.db).await?;
    let Some(enterprise) = store.enterprise_by_code(&w.code).await? else {
        eprintln!("cbec: refused: no enterprise is filed with code {}", w.code);
        return Ok(Outcome::Failed);
    };
    let payload = json!({ "warehouse": {
        "name": w.name, "country": w.country, "address": w.address, "area_m2": w.area,
        "nature": w.nature, "document": w.document,
    }});
    let kind = ApplicationKind::OverseasWarehouse;
    match cbec_server::filing::submit_and_approve(&*store, kind, Some(enterprise.id.clone()), payload, WHO, now()).await
    {
        Ok(app) => {
            println!("filed and approved the overseas warehouse {} of {} (application {})", w.name, w.code, app.id);
            Ok(Outcome::Ok)
        }
        Err(e) => refused(e),
    }
}
