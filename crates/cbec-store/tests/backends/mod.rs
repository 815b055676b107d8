//! Runs one scenario on a fresh SQLite file and on a fresh PostgreSQL
//! database (created from the admin URL in `CBEC_TEST_PG`, set by
//! `./scripts/test.sh`, and dropped afterwards), re-raising its panic after
//! the clean-up.

use std::future::Future;
use std::sync::Arc;

use cbec_store::{Store, new_id};

fn rethrow(outcome: Result<(), tokio::task::JoinError>) {
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

pub async fn on_sqlite<F, Fut>(prefix: &str, scenario: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", new_id()));
    let store = cbec_store::open(&format!("sqlite://{}", dir.join("cbec.db").display())).await.unwrap();
    let outcome = tokio::spawn(scenario(store)).await;
    let _ = std::fs::remove_dir_all(&dir);
    rethrow(outcome);
}

pub async fn on_postgres<F, Fut>(prefix: &str, scenario: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let admin = std::env::var("CBEC_TEST_PG")
        .expect("CBEC_TEST_PG is not set: run ./scripts/test.sh, which starts a throwaway PostgreSQL and sets it");
    let name = format!("{prefix}_{}", new_id().replace('-', ""));
    let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let store = cbec_store::open(&format!("{base}/{name}")).await.unwrap();
    let outcome = tokio::spawn(scenario(store)).await;
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
    rethrow(outcome);
}
