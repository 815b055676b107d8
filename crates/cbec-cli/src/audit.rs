//! `cbec audit verify --db URL`: checks the hash chain of the audit log and
//! reports the first broken link (exit 0 intact, 1 broken).

use anyhow::Context as _;

use crate::Outcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Verify the audit log's hash chain.
    Verify {
        #[arg(long, default_value = crate::serve::DEFAULT_DB)]
        db: String,
    },
}

pub fn run(a: Args) -> anyhow::Result<Outcome> {
    let Command::Verify { db } = a.command;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async move {
        let store = cbec_store::open(&db).await.with_context(|| format!("cannot open the database {db}"))?;
        match cbec_store::audit::verify_audit(&*store).await? {
            Ok(n) => {
                println!("audit log intact: {n} entries verified");
                Ok(Outcome::Ok)
            }
            Err(broken) => {
                println!("audit log BROKEN at entry {}: {}", broken.seq, broken.reason);
                Ok(Outcome::Failed)
            }
        }
    })
}
