//! The prepare workers: a fixed set of threads that verify and decode
//! messages off the async runtime.
//!
//! Each thread takes the next job from one shared queue and runs it; it
//! sleeps only when the queue is empty. (On tokio's blocking pool, with the
//! number of jobs at once capped by a semaphore, every message cost two
//! thread wake-ups: the freed permit woke a waiting task, whose new blocking
//! job woke an idle blocking thread. Under load that was about a tenth of
//! the prepare threads' time, and each wake-up could preempt the store's
//! writer on the other core.) The threads end when the pool is dropped.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

pub(crate) struct PreparePool {
    jobs: mpsc::Sender<Job>,
}

impl PreparePool {
    /// Starts `threads` workers (at least one).
    pub(crate) fn new(threads: usize) -> PreparePool {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name(format!("cbec-prepare-{i}")).spawn(move || worker(&queue));
            // Without any thread, `run` reports every job as failed.
            drop(spawned);
        }
        PreparePool { jobs }
    }

    /// Runs `f` on a worker and returns its result; `None` if it panicked
    /// or no worker is left to run it.
    pub(crate) async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.jobs.send(job).ok()?;
        rx.await.ok()
    }
}

/// One worker: the next job, until the pool is dropped. A panicking job
/// loses its answer (its caller hears `None`), not the thread.
fn worker(queue: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = next else { return };
        let _ = catch_unwind(AssertUnwindSafe(job));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_workers_and_a_panic_loses_only_its_answer() {
        let pool = PreparePool::new(2);
        let name = pool.run(|| std::thread::current().name().map(str::to_string)).await;
        assert!(name.flatten().is_some_and(|n| n.starts_with("cbec-prepare-")));
        assert_eq!(pool.run(|| -> u32 { panic!("a bad job") }).await, None);
        let answers: Vec<_> = (0..50u32).map(|i| pool.run(move || i * 2)).collect();
        for (i, a) in answers.into_iter().enumerate() {
            assert_eq!(a.await, Some(i as u32 * 2));
        }
    }
}
