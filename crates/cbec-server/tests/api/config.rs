//! Settings: defaults, then the TOML file, then `CBEC_*`, then flags.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use cbec_server::config::{Config, ConfigError, Layer, LogFormat};

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn defaults() {
    let c = Config::load(None, &HashMap::new(), &Layer::default()).unwrap();
    assert_eq!(c, Config::default());
    assert_eq!(c.database_url, "sqlite://cbec-data/cbec.db");
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.log_format, LogFormat::Text);
    assert_eq!(c.body_limit, 2 * 1024 * 1024);
    assert_eq!(c.shutdown_grace, Duration::from_secs(30));
    assert_eq!(c.sqlite_path(), Some(Path::new("cbec-data/cbec.db")));
}

#[test]
fn layers_override_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cbec.toml");
    std::fs::write(
        &file,
        "database_url = \"sqlite:///var/lib/cbec/cbec.db\"\nlisten = \"0.0.0.0:9000\"\nlog_format = \"json\"\nbody_limit = 1000\nlog_level = \"cbec_server=debug,info\"\n",
    )
    .unwrap();
    let e = env(&[("CBEC_LISTEN", "127.0.0.1:9100"), ("CBEC_SHUTDOWN_GRACE_SECS", "5"), ("HOME", "/root")]);
    let flags = Layer { listen: Some("127.0.0.1:9200".into()), ..Layer::default() };
    let c = Config::load(Some(&file), &e, &flags).unwrap();
    assert_eq!(c.database_url, "sqlite:///var/lib/cbec/cbec.db", "from the file");
    assert_eq!(c.log_format, LogFormat::Json, "from the file");
    assert_eq!(c.log_level, "cbec_server=debug,info", "from the file");
    assert_eq!(c.body_limit, 1000, "from the file");
    assert_eq!(c.shutdown_grace, Duration::from_secs(5), "from the environment");
    assert_eq!(c.listen.to_string(), "127.0.0.1:9200", "the flag wins");
    let c = Config::load(Some(&file), &e, &Layer::default()).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:9100", "the environment beats the file");
    let c =
        Config::load(None, &env(&[("CBEC_DATABASE_URL", "postgres://cbec@db:5432/cbec")]), &Layer::default()).unwrap();
    assert_eq!(c.database_url, "postgres://cbec@db:5432/cbec");
    assert_eq!(c.sqlite_path(), None);
}

#[test]
fn errors_name_their_source() {
    let bad_env = Config::load(None, &env(&[("CBEC_LISTEN", "localhost")]), &Layer::default()).unwrap_err();
    assert!(bad_env.to_string().starts_with("CBEC_LISTEN: "), "{bad_env}");
    let bad_num = Config::load(None, &env(&[("CBEC_BODY_LIMIT", "2MB")]), &Layer::default()).unwrap_err();
    assert!(bad_num.to_string().starts_with("CBEC_BODY_LIMIT: "), "{bad_num}");
    let flags = Layer { database_url: Some("mysql://x".into()), ..Layer::default() };
    let bad_flag = Config::load(None, &HashMap::new(), &flags).unwrap_err();
    assert!(bad_flag.to_string().starts_with("--database-url: "), "{bad_flag}");
    for bad in [
        Layer { log_format: Some("xml".into()), ..Layer::default() },
        Layer { log_level: Some("loud".into()), ..Layer::default() },
        Layer { log_level: Some("cbec=chatty".into()), ..Layer::default() },
        Layer { body_limit: Some(0), ..Layer::default() },
        Layer { bootstrap_admin: Some(" ".into()), ..Layer::default() },
    ] {
        assert!(Config::load(None, &HashMap::new(), &bad).is_err(), "{bad:?}");
    }
}

#[test]
fn file_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.toml");
    assert!(matches!(Config::load(Some(&missing), &HashMap::new(), &Layer::default()), Err(ConfigError::Read { .. })));
    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "listen_addr = \"127.0.0.1:1\"\n").unwrap();
    let e = Config::load(Some(&typo), &HashMap::new(), &Layer::default()).unwrap_err();
    assert!(matches!(e, ConfigError::Parse { .. }), "unknown keys are refused: {e}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "listen = \"nowhere\"\n").unwrap();
    let e = Config::load(Some(&bad), &HashMap::new(), &Layer::default()).unwrap_err();
    assert!(e.to_string().contains("bad.toml (listen)"), "{e}");
}
