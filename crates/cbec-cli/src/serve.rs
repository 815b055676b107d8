//! `cbec serve`: runs the HTTP service (`cbec_server`).
//!
//! Settings are resolved once, before anything starts: built-in defaults,
//! then the TOML file (`--config`, or `CBEC_CONFIG`), then the `CBEC_*`
//! environment, then these flags. On a fresh machine nothing is needed: the
//! SQLite database is created under `./cbec-data/`, and the first
//! administrator's API token is printed once on standard error.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context as _;
use cbec_server::config::{Config, Layer};

use crate::Outcome;

/// The database of a fresh install.
pub const DEFAULT_DB: &str = "sqlite://cbec-data/cbec.db";

/// Arguments of `cbec serve`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Settings, from lowest to highest precedence: defaults, the TOML file, the environment, the flags.

  TOML key              environment                 default
  database_url          CBEC_DATABASE_URL           sqlite://cbec-data/cbec.db
  listen                CBEC_LISTEN                 127.0.0.1:8080
  log_format            CBEC_LOG_FORMAT             text
  log_level             CBEC_LOG_LEVEL              info
  body_limit            CBEC_BODY_LIMIT             2097152 (bytes)
  shutdown_grace_secs   CBEC_SHUTDOWN_GRACE_SECS    30
  bootstrap_admin       CBEC_BOOTSTRAP_ADMIN        admin
  sandbox               CBEC_SANDBOX                false (--sandbox; see docs/clearance.md, Sandbox)

The configuration file may also be named by CBEC_CONFIG. When the database has no officer, an administrator is
created and its API token printed once on standard error. ctrl-c or SIGTERM stops the service after in-flight
requests finish (at most shutdown_grace_secs).")]
pub struct Args {
    /// Database: sqlite://PATH (created if missing) or postgres://USER@HOST:PORT/DB
    /// [default: sqlite://cbec-data/cbec.db]
    #[arg(long = "db", value_name = "URL")]
    db: Option<String>,
    /// Address to listen on, e.g. 0.0.0.0:8080 [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// TOML configuration file
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log format: text or json [default: text]
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<String>,
    /// Log filter: a level (info, debug, …) or target=level pairs [default: info]
    #[arg(long, value_name = "FILTER")]
    log_level: Option<String>,
    /// Run an integrators' sandbox: markers in messages (CBEC-SANDBOX:…) force outcomes, on a sandbox
    /// database of its own [default database: sqlite://cbec-data/cbec-sandbox.db]
    #[arg(long)]
    sandbox: bool,
}

impl Args {
    /// The flags as the highest settings layer.
    fn overrides(&self) -> Layer {
        Layer {
            database_url: self.db.clone(),
            listen: self.listen.clone(),
            log_format: self.log_format.clone(),
            log_level: self.log_level.clone(),
            sandbox: self.sandbox.then_some(true),
            ..Layer::default()
        }
    }
}

/// Resolves the settings from the flags and an environment.
fn resolve(args: &Args, env: &HashMap<String, String>) -> anyhow::Result<Config> {
    let file = args.config.clone().or_else(|| env.get("CBEC_CONFIG").map(PathBuf::from));
    Config::load(file.as_deref(), env, &args.overrides()).context("invalid settings")
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    // Variables that are not Unicode cannot be cbec settings; skip them.
    let env: HashMap<String, String> =
        std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect();
    let config = resolve(&args, &env)?;
    cbec_server::telemetry::init(&config).map_err(anyhow::Error::msg)?;
    cbec_server::run(config, &mut std::io::stderr()).context("the service failed")?;
    Ok(Outcome::Ok)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn args(argv: &[&str]) -> Args {
        Cli::try_parse_from(std::iter::once("serve").chain(argv.iter().copied())).unwrap().args
    }

    #[test]
    fn flags_override_the_environment() {
        let env: HashMap<String, String> =
            [("CBEC_LISTEN", "127.0.0.1:9000"), ("CBEC_LOG_FORMAT", "json")].map(|(k, v)| (k.into(), v.into())).into();
        let c = resolve(&args(&["--db", "sqlite://x/y.db", "--listen", "0.0.0.0:8081"]), &env).unwrap();
        assert_eq!(c.database_url, "sqlite://x/y.db");
        assert_eq!(c.listen.to_string(), "0.0.0.0:8081");
        assert_eq!(c.log_format, cbec_server::config::LogFormat::Json);
        let c = resolve(&args(&[]), &HashMap::new()).unwrap();
        assert_eq!(c, Config::default());
        assert!(resolve(&args(&["--listen", "nowhere"]), &HashMap::new()).is_err());
    }

    #[test]
    fn the_config_file_comes_from_the_flag_or_cbec_config() {
        let dir = std::env::temp_dir().join(format!("cbec-serve-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("cbec.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:7000\"\n").unwrap();
        let path = file.to_str().unwrap();
        assert_eq!(resolve(&args(&["--config", path]), &HashMap::new()).unwrap().listen.port(), 7000);
        let env: HashMap<String, String> = [("CBEC_CONFIG".to_owned(), path.to_owned())].into();
        assert_eq!(resolve(&args(&[]), &env).unwrap().listen.port(), 7000);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
