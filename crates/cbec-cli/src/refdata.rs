//! `cbec refdata`: goods reference data in the database.
//!
//! `cbec refdata import KIND FILE.csv --db URL [--effective YYYY-MM-DD]`
//! reads a `tariff`, `positive-list` or `prohibited` table, checks every
//! row and either stores it as the new version of its kind, in force from
//! the effective date (default: today in China), and prints one JSON line
//! (exit 0), or prints every bad row and imports nothing (exit 1).
//! `cbec refdata list --db URL [--kind KIND]` prints the stored versions.

use anyhow::Context as _;
use cbec_refdata::Kind;
use cbec_store::{Actor, Millis, NewRefdata, Principal};

use crate::Outcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Check a table and store it as the new version of its kind.
    Import {
        /// tariff, positive-list or prohibited.
        kind: String,
        /// UTF-8 CSV with a header row.
        file: std::path::PathBuf,
        #[arg(long, default_value = crate::serve::DEFAULT_DB)]
        db: String,
        /// First day the version is in force [default: today, China time].
        #[arg(long, value_name = "YYYY-MM-DD")]
        effective: Option<String>,
    },
    /// List the stored versions.
    List {
        #[arg(long, default_value = crate::serve::DEFAULT_DB)]
        db: String,
        #[arg(long)]
        kind: Option<String>,
    },
}

fn now() -> Millis {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    Millis(i64::try_from(ms).unwrap_or(i64::MAX))
}

fn kind(name: &str) -> anyhow::Result<Kind> {
    Kind::parse(name).with_context(|| {
        let all: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown kind {name:?}: use one of {}", all.join(", "))
    })
}

/// `YYYY-MM-DD`, a real date.
fn effective_date(given: Option<String>) -> anyhow::Result<String> {
    let Some(d) = given else {
        let today = cbec_clearance::decide::china_date(now().0);
        return Ok(format!("{}-{}-{}", &today[..4], &today[4..6], &today[6..]));
    };
    let digits = d.replace('-', "");
    let ok = d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-';
    if !ok || cbec_model::ident::Date8::parse(&digits).is_err() {
        anyhow::bail!("--effective {d:?} is not a date YYYY-MM-DD");
    }
    Ok(d)
}

pub fn run(a: Args) -> anyhow::Result<Outcome> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    match a.command {
        Command::Import { kind: name, file, db, effective } => {
            let kind = kind(&name)?;
            let effective_from = effective_date(effective)?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let Ok(text) = String::from_utf8(bytes) else {
                println!("{}: not UTF-8 text; nothing imported", file.display());
                return Ok(Outcome::Failed);
            };
            let table = match cbec_refdata::parse(kind, &text) {
                Ok(t) => t,
                Err(rejected) => {
                    for e in &rejected.errors {
                        println!("{}: {e}", file.display());
                    }
                    println!(
                        "{}: {} problem(s) in {} row(s); nothing imported",
                        file.display(),
                        rejected.errors.len(),
                        rejected.rows
                    );
                    return Ok(Outcome::Failed);
                }
            };
            rt.block_on(async move {
                let store = cbec_store::open(&db).await.with_context(|| format!("cannot open the database {db}"))?;
                let actor = Actor { principal: Principal::System("refdata-import".into()), at: now() };
                let new = NewRefdata {
                    kind: kind.name().to_string(),
                    effective_from,
                    rows: i64::try_from(table.len()).unwrap_or(i64::MAX),
                    source: file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    content: text,
                };
                let v = store.import_refdata(new, &actor).await?;
                println!("{}", serde_json::to_string(&v)?);
                Ok(Outcome::Ok)
            })
        }
        Command::List { db, kind: name } => {
            if let Some(n) = &name {
                kind(n)?;
            }
            rt.block_on(async move {
                let store = cbec_store::open(&db).await.with_context(|| format!("cannot open the database {db}"))?;
                for v in store.refdata_versions(name.as_deref()).await? {
                    println!("{}", serde_json::to_string(&v)?);
                }
                Ok(Outcome::Ok)
            })
        }
    }
}
