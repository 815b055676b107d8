//! Typed settings of the service, resolved once at start-up from four
//! layers, each overriding the one before: built-in defaults, a TOML file,
//! `CBEC_*` environment variables, and command-line flags.
//!
//! | setting | TOML key | environment | default |
//! |---|---|---|---|
//! | database URL | `database_url` | `CBEC_DATABASE_URL` | `sqlite://cbec-data/cbec.db` |
//! | listen address | `listen` | `CBEC_LISTEN` | `127.0.0.1:8080` |
//! | log format (`text`, `json`) | `log_format` | `CBEC_LOG_FORMAT` | `text` |
//! | log level (`info`, `cbec_server=debug,info`, …) | `log_level` | `CBEC_LOG_LEVEL` | `info` |
//! | request body limit, bytes | `body_limit` | `CBEC_BODY_LIMIT` | 2097152 (2 MiB) |
//! | shutdown grace, seconds | `shutdown_grace_secs` | `CBEC_SHUTDOWN_GRACE_SECS` | 30 |
//! | name of the first administrator | `bootstrap_admin` | `CBEC_BOOTSTRAP_ADMIN` | `admin` |
//! | how long a list waits for its order, payment and waybill, seconds | `pending_deadline_secs` | `CBEC_PENDING_DEADLINE_SECS` | 86400 |
//! | release accepted lists at once (`true`) or wait for an officer (`false`) | `auto_release` | `CBEC_AUTO_RELEASE` | `true` |
//! | messages in the clearance pipeline at once before 429 | `max_in_flight` | `CBEC_MAX_IN_FLIGHT` | 1024 |
//! | webhook delivery attempts before a receipt is dead-lettered | `push_max_attempts` | `CBEC_PUSH_MAX_ATTEMPTS` | 10 |
//! | seed of the risk engine's random selection (recorded in every decision) | `risk_seed` | `CBEC_RISK_SEED` | drawn at random at start |
//!
//! Every value is checked where it enters, and the error names its layer
//! (`CBEC_LISTEN: …`), so a bad setting is found before anything starts.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl LogFormat {
    pub fn parse(s: &str) -> Option<LogFormat> {
        match s {
            "text" => Some(LogFormat::Text),
            "json" => Some(LogFormat::Json),
            _ => None,
        }
    }
}

/// The resolved settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    pub listen: SocketAddr,
    pub log_format: LogFormat,
    /// A `tracing` filter: a level, or `target=level` pairs separated by commas.
    pub log_level: String,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// How long in-flight requests may run after a shutdown signal.
    pub shutdown_grace: Duration,
    /// The name of the administrator created when the database has no
    /// officer yet.
    pub bootstrap_admin: String,
    /// How long a list waits for its order, payment and waybill.
    pub pending_deadline: Duration,
    /// Release accepted lists at once.
    pub auto_release: bool,
    /// Messages admitted to the clearance pipeline at once.
    pub max_in_flight: usize,
    /// Webhook delivery attempts before a receipt is dead-lettered.
    pub push_max_attempts: u32,
    /// An integrators' sandbox: markers in messages force outcomes, the
    /// database must be (or becomes) a sandbox database, and the default
    /// database is [`SANDBOX_DB`].
    pub sandbox: bool,
    /// The seed of the risk engine's random selection; `None`: drawn at
    /// random when the service starts (every decision records the seed it
    /// used, so it can be reproduced either way).
    pub risk_seed: Option<u64>,
}

/// The database of a sandbox when none is named.
pub const SANDBOX_DB: &str = "sqlite://cbec-data/cbec-sandbox.db";

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://cbec-data/cbec.db".to_owned(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            log_format: LogFormat::Text,
            log_level: "info".to_owned(),
            body_limit: 2 * 1024 * 1024,
            shutdown_grace: Duration::from_secs(30),
            bootstrap_admin: "admin".to_owned(),
            pending_deadline: Duration::from_secs(86_400),
            auto_release: true,
            max_in_flight: 1024,
            push_max_attempts: 10,
            sandbox: false,
            risk_seed: None,
        }
    }
}

/// One layer of settings: every field optional. The TOML file has this
/// shape, and command-line flags fill one too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub log_format: Option<String>,
    pub log_level: Option<String>,
    pub body_limit: Option<u64>,
    pub shutdown_grace_secs: Option<u64>,
    pub bootstrap_admin: Option<String>,
    pub pending_deadline_secs: Option<u64>,
    pub auto_release: Option<bool>,
    pub max_in_flight: Option<u64>,
    pub push_max_attempts: Option<u64>,
    pub sandbox: Option<bool>,
    pub risk_seed: Option<u64>,
}

/// A setting that could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the configuration file {path} is not valid: {reason}")]
    Parse { path: String, reason: String },
    #[error("{source_name}: {reason}")]
    Invalid { source_name: String, reason: String },
}

impl Layer {
    /// The `CBEC_*` variables of an environment (other variables are
    /// ignored). Numbers are checked here so the error names the variable.
    pub fn from_env(env: &HashMap<String, String>) -> Result<Layer, ConfigError> {
        let get = |k: &str| env.get(k).cloned();
        let number = |k: &str| -> Result<Option<u64>, ConfigError> {
            get(k)
                .map(|v| {
                    v.trim().parse::<u64>().map_err(|_| ConfigError::Invalid {
                        source_name: k.to_owned(),
                        reason: format!("{v:?} is not a whole non-negative number"),
                    })
                })
                .transpose()
        };
        let flag = |k: &str| -> Result<Option<bool>, ConfigError> {
            get(k)
                .map(|v| match v.trim() {
                    "true" | "1" | "yes" => Ok(true),
                    "false" | "0" | "no" => Ok(false),
                    _ => Err(ConfigError::Invalid {
                        source_name: k.to_owned(),
                        reason: format!("{v:?} is neither true nor false"),
                    }),
                })
                .transpose()
        };
        Ok(Layer {
            database_url: get("CBEC_DATABASE_URL"),
            listen: get("CBEC_LISTEN"),
            log_format: get("CBEC_LOG_FORMAT"),
            log_level: get("CBEC_LOG_LEVEL"),
            body_limit: number("CBEC_BODY_LIMIT")?,
            shutdown_grace_secs: number("CBEC_SHUTDOWN_GRACE_SECS")?,
            bootstrap_admin: get("CBEC_BOOTSTRAP_ADMIN"),
            pending_deadline_secs: number("CBEC_PENDING_DEADLINE_SECS")?,
            auto_release: flag("CBEC_AUTO_RELEASE")?,
            sandbox: flag("CBEC_SANDBOX")?,
            max_in_flight: number("CBEC_MAX_IN_FLIGHT")?,
            push_max_attempts: number("CBEC_PUSH_MAX_ATTEMPTS")?,
            risk_seed: number("CBEC_RISK_SEED")?,
        })
    }

    /// Reads a TOML file of this shape.
    pub fn from_toml_file(path: &Path) -> Result<Layer, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::Read { path: shown.clone(), reason: e.to_string() })?;
        Layer::from_toml(&text).map_err(|reason| ConfigError::Parse { path: shown, reason })
    }

    pub fn from_toml(text: &str) -> Result<Layer, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())
    }
}

impl Config {
    /// Resolves the settings: defaults, then `file` (if given), then the
    /// `CBEC_*` variables of `env`, then `overrides` (the flags).
    pub fn load(file: Option<&Path>, env: &HashMap<String, String>, overrides: &Layer) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some(path) = file {
            let layer = Layer::from_toml_file(path)?;
            config.apply(&layer, &|key| format!("{} ({key})", path.display()))?;
        }
        config.apply(&Layer::from_env(env)?, &|key| format!("CBEC_{}", key.to_uppercase()))?;
        config.apply(overrides, &|key| format!("--{}", key.replace('_', "-")))?;
        if config.sandbox && config.database_url == Config::default().database_url {
            config.database_url = SANDBOX_DB.to_owned();
        }
        Ok(config)
    }

    /// Applies one layer; `name` tells where a key came from, for errors.
    fn apply(&mut self, layer: &Layer, name: &dyn Fn(&str) -> String) -> Result<(), ConfigError> {
        let invalid = |key: &str, reason: String| ConfigError::Invalid { source_name: name(key), reason };
        if let Some(url) = &layer.database_url {
            if !(url.starts_with("sqlite://") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(invalid(
                    "database_url",
                    format!("{url:?} is not a database URL: use sqlite://PATH or postgres://USER@HOST:PORT/DB"),
                ));
            }
            self.database_url = url.clone();
        }
        if let Some(listen) = &layer.listen {
            self.listen = listen.trim().parse().map_err(|_| {
                invalid("listen", format!("{listen:?} is not an IP address and port, e.g. 127.0.0.1:8080 or [::]:8080"))
            })?;
        }
        if let Some(format) = &layer.log_format {
            self.log_format = LogFormat::parse(format.trim())
                .ok_or_else(|| invalid("log_format", format!("{format:?} is neither text nor json")))?;
        }
        if let Some(level) = &layer.log_level {
            crate::telemetry::parse_filter(level).map_err(|e| invalid("log_level", e))?;
            self.log_level = level.clone();
        }
        if let Some(limit) = layer.body_limit {
            if limit == 0 {
                return Err(invalid("body_limit", "the body limit must be at least 1 byte".to_owned()));
            }
            self.body_limit = usize::try_from(limit).unwrap_or(usize::MAX);
        }
        if let Some(secs) = layer.shutdown_grace_secs {
            self.shutdown_grace = Duration::from_secs(secs);
        }
        if let Some(secs) = layer.pending_deadline_secs {
            if secs == 0 {
                return Err(invalid("pending_deadline_secs", "the deadline must be at least 1 second".to_owned()));
            }
            self.pending_deadline = Duration::from_secs(secs);
        }
        if let Some(on) = layer.auto_release {
            self.auto_release = on;
        }
        if let Some(on) = layer.sandbox {
            self.sandbox = on;
        }
        if let Some(seed) = layer.risk_seed {
            self.risk_seed = Some(seed);
        }
        if let Some(n) = layer.max_in_flight {
            if n == 0 {
                return Err(invalid("max_in_flight", "at least 1 message must be admitted".to_owned()));
            }
            self.max_in_flight = usize::try_from(n).unwrap_or(usize::MAX);
        }
        if let Some(n) = layer.push_max_attempts {
            if n == 0 {
                return Err(invalid("push_max_attempts", "at least 1 attempt is needed".to_owned()));
            }
            self.push_max_attempts = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some(name) = &layer.bootstrap_admin {
            if name.trim().is_empty() {
                return Err(invalid("bootstrap_admin", "the administrator's name is empty".to_owned()));
            }
            self.bootstrap_admin = name.trim().to_owned();
        }
        Ok(())
    }

    /// The SQLite file of a `sqlite://` URL, if it is one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        self.database_url.strip_prefix("sqlite://").map(Path::new)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_risk_seed_is_set_or_left_to_chance() {
        let none = Config::load(None, &env(&[]), &Layer::default()).unwrap();
        assert_eq!(none.risk_seed, None);
        let set = Config::load(None, &env(&[("CBEC_RISK_SEED", "42")]), &Layer::default()).unwrap();
        assert_eq!(set.risk_seed, Some(42));
        let bad = Config::load(None, &env(&[("CBEC_RISK_SEED", "x")]), &Layer::default()).unwrap_err();
        assert!(bad.to_string().starts_with("CBEC_RISK_SEED:"), "{bad}");
        let file = Layer::from_toml("risk_seed = 7").unwrap();
        assert_eq!(file.risk_seed, Some(7));
    }
}
