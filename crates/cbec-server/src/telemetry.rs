//! Structured logs with `tracing`: human-readable text or one JSON object
//! per line, written to standard error and filtered by the configured
//! level.

use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::config::{Config, LogFormat};

/// Reads a filter: a bare level (`info`) or `target=level` pairs separated
/// by commas (`cbec_server=debug,info`).
pub fn parse_filter(s: &str) -> Result<Targets, String> {
    const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];
    let bad =
        || format!("{s:?} is not a log filter; use a level ({}) or e.g. cbec_server=debug,info", LEVELS.join(", "));
    // `Targets` would take a bare word as a target name; insist on levels.
    for directive in s.split(',').map(str::trim) {
        let level = directive.rsplit_once('=').map_or(directive, |(_, l)| l);
        if !LEVELS.contains(&level.to_ascii_lowercase().as_str()) {
            return Err(bad());
        }
    }
    s.trim().parse::<Targets>().map_err(|_| bad())
}

/// Installs the global subscriber. Does nothing if one is installed already
/// (tests that start several services).
pub fn init(config: &Config) -> Result<(), String> {
    let filter = parse_filter(&config.log_level)?;
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(true);
    let layer = match config.log_format {
        LogFormat::Text => fmt.with_ansi(false).boxed(),
        LogFormat::Json => fmt.json().flatten_event(true).with_current_span(true).boxed(),
    };
    let _ = tracing_subscriber::registry().with(layer.with_filter(filter)).try_init();
    Ok(())
}
