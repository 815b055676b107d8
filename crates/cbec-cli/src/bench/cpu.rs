//! CPU time of this process and of its threads, and the machine's stolen
//! time, read from Linux's `/proc` (no other platform: there the figures are
//! left out). The pipeline benchmark reports CPU per message, which decides
//! how fast two cores can go, and is steadier than a rate when other work
//! shares the machine; and how much of the run the hypervisor took away.

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

/// The machine's CPU time so far, in clock ticks summed over its CPUs
/// (`/proc/stat`'s first line): all of it, and the part *stolen*, during
/// which a virtual machine's CPU was ready to run but the hypervisor ran
/// something else.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct MachineTimes {
    pub total: u64,
    pub steal: u64,
}

impl MachineTimes {
    /// Now, or `None` where `/proc/stat` is not Linux's.
    pub(crate) fn now() -> Option<MachineTimes> {
        machine_times(&std::fs::read_to_string("/proc/stat").ok()?)
    }

    /// The percentage of the machine's CPU time stolen from `earlier` to
    /// `self` (one decimal).
    pub(crate) fn steal_percent_since(&self, earlier: &MachineTimes) -> f64 {
        let total = self.total.saturating_sub(earlier.total);
        let steal = self.steal.saturating_sub(earlier.steal);
        if total == 0 { 0.0 } else { (steal as f64 * 1000.0 / total as f64).round() / 10.0 }
    }
}

/// The `cpu` line of `/proc/stat`: user nice system idle iowait irq softirq
/// steal (guest time is already counted in user and nice).
fn machine_times(stat: &str) -> Option<MachineTimes> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let ticks: Vec<u64> = line.split_whitespace().skip(1).take(8).map(str::parse).collect::<Result<_, _>>().ok()?;
    (ticks.len() == 8).then(|| MachineTimes { total: ticks.iter().sum(), steal: ticks[7] })
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
    fn steal_is_read_from_the_cpu_line() {
        let stat = "cpu  100 5 50 800 10 1 4 30 7 0\ncpu0 50 2 25 400 5 0 2 15 0 0\nintr 1\n";
        let before = machine_times(stat).unwrap();
        assert_eq!(before, MachineTimes { total: 1000, steal: 30 });
        let after = MachineTimes { total: 1400, steal: 90 };
        assert_eq!(after.steal_percent_since(&before), 15.0);
        assert_eq!(before.steal_percent_since(&before), 0.0);
        assert_eq!(machine_times("cpu  1 2 3\n"), None);
        assert_eq!(machine_times("intr 1\n"), None);
        if let Some(now) = MachineTimes::now() {
            assert!(now.total > 0 && now.steal <= now.total, "{now:?}");
        }
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
