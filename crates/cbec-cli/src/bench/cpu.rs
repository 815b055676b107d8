//! CPU time of this process and of its threads, read from Linux's `/proc`
//! (no other platform: there the figures are left out). The pipeline
//! benchmark reports CPU per message, which decides how fast two cores can
//! go, and is steadier than a rate when other work shares the machine.

use std::collections::BTreeMap;
use std::path::Path;

/// The clock ticks of `/proc/PID/stat` (`USER_HZ`, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU seconds used so far: by the whole process (threads that have
/// exited included) and by each live thread, by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CpuTimes {
    pub process: f64,
    pub threads: BTreeMap<String, f64>,
}

impl CpuTimes {
    /// Now, or `None` where `/proc/self` is not Linux's.
    pub(crate) fn now() -> Option<CpuTimes> {
        let process = stat_seconds(&std::fs::read_to_string("/proc/self/stat").ok()?)?;
        let mut threads = BTreeMap::new();
        for entry in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
            let dir = entry.path();
            // A thread that has exited meanwhile is simply not counted.
            let (Some(name), Some(seconds)) =
                (read(&dir, "comm"), read(&dir, "schedstat").and_then(|s| run_seconds(&s)))
            else {
                continue;
            };
            *threads.entry(name.trim().to_string()).or_insert(0.0) += seconds;
        }
        Some(CpuTimes { process, threads })
    }

    /// CPU seconds of the threads whose name starts with `prefix`, from
    /// `earlier` to `self`.
    pub(crate) fn threads_since(&self, earlier: &CpuTimes, prefix: &str) -> f64 {
        let sum = |t: &CpuTimes| t.threads.iter().filter(|(n, _)| n.starts_with(prefix)).map(|(_, s)| s).sum::<f64>();
        (sum(self) - sum(earlier)).max(0.0)
    }
}

fn read(dir: &Path, file: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(file)).ok()
}

/// User plus system time of a `/proc/PID/stat` line (fields 14 and 15,
/// counted after the parenthesised command name, which may hold spaces).
fn stat_seconds(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (the state), so field N is fields[N - 3].
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_SECOND)
}

/// Time on the CPU of a `/proc/PID/task/TID/schedstat` line (its first
/// field, nanoseconds).
fn run_seconds(schedstat: &str) -> Option<f64> {
    let ns: f64 = schedstat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_are_read_after_the_command_name() {
        let line = "4242 (cbec (bench) x) R 1 4242 4242 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 9 0 1 2 3";
        assert_eq!(stat_seconds(line), Some(3.25));
        assert_eq!(stat_seconds("4242 (short) R 1"), None);
        assert_eq!(run_seconds("1500000000 20 3\n"), Some(1.5));
        assert_eq!(run_seconds(""), None);
    }

    #[test]
    fn this_process_uses_cpu_and_names_its_threads() {
        let Some(before) = CpuTimes::now() else { return };
        // Spin until the thread's own counter shows 50 ms on the CPU (however
        // long a loaded machine takes to give it that), for at most 60 s.
        let spin = std::thread::Builder::new()
            .name("cpu-test-spin".into())
            .spawn(move || {
                let start = std::time::Instant::now();
                let mut x = 0u64;
                loop {
                    for _ in 0..1_000_000 {
                        x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                    }
                    let now = CpuTimes::now().unwrap();
                    if now.threads_since(&before, "cpu-test-spin") >= 0.05 || start.elapsed().as_secs() > 60 {
                        return (x, before, now);
                    }
                }
            })
            .unwrap();
        let (_, before, during) = spin.join().unwrap();
        let spun = during.threads_since(&before, "cpu-test-spin");
        assert!(spun >= 0.05, "the spinning thread used {spun} s");
        assert_eq!(during.threads_since(&before, "no-such-thread"), 0.0);
        let after = CpuTimes::now().unwrap();
        assert!(after.process >= before.process + 0.01, "{} then {}", before.process, after.process);
    }
}
