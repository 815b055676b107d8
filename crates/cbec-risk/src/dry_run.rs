//! "What would this rule have hit": a candidate rule set tried over stored
//! traffic, side by side with the active engine.

use serde::Serialize;

use crate::active::Warnings;
use crate::decision::Decision;
use crate::engine::Engine;
use crate::rules::{Lane, RuleSet};
use crate::subject::Subject;

/// How many example subjects a dry run keeps per rule and for lane changes.
pub const DRY_RUN_EXAMPLES: usize = 20;
/// Fewer subjects than this per core are evaluated on one thread.
const PER_THREAD: usize = 1_000;

/// Lists per lane.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LaneCounts {
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub hold: usize,
    /// Of the held lists, how many were refused (always 0 in a dry run,
    /// which applies no warnings).
    pub refused: usize,
}

impl LaneCounts {
    fn add(&mut self, lane: Lane, refused: bool) {
        match lane {
            Lane::Green => self.green += 1,
            Lane::Yellow => self.yellow += 1,
            Lane::Red => self.red += 1,
            Lane::Hold => self.hold += 1,
        }
        if refused {
            self.refused += 1;
        }
    }

    /// The count of a lane.
    pub fn of(&self, lane: Lane) -> usize {
        match lane {
            Lane::Green => self.green,
            Lane::Yellow => self.yellow,
            Lane::Red => self.red,
            Lane::Hold => self.hold,
        }
    }
}

/// One subject a rule hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HitExample {
    pub key: String,
    pub reason: String,
}

/// What one candidate rule would have hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleHits {
    pub rule_id: String,
    pub description: String,
    pub lane: Lane,
    /// Subjects on which the rule fired (sampling included).
    pub hits: usize,
    /// The first [`DRY_RUN_EXAMPLES`] of them.
    pub examples: Vec<HitExample>,
}

/// A subject whose lane the candidate changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LaneChange {
    pub key: String,
    pub from: Lane,
    pub to: Lane,
}

/// The report of a dry run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DryRun {
    pub candidate_version: String,
    pub active_version: Option<String>,
    pub seed: u64,
    /// Subjects evaluated.
    pub subjects: usize,
    /// Per candidate rule, in file order.
    pub rules: Vec<RuleHits>,
    /// Lanes under the candidate.
    pub candidate_lanes: LaneCounts,
    /// Lanes under the active engine, when one was given.
    pub active_lanes: Option<LaneCounts>,
    /// Subjects whose lane differs between the two (0 without an active
    /// engine).
    pub changed: usize,
    /// The first [`DRY_RUN_EXAMPLES`] changes.
    pub changes: Vec<LaneChange>,
}

/// Evaluates `candidate` (and `active`, when given) over `subjects` with
/// the same seed, hence the same random draws, and no warnings: the report
/// shows what the rules alone would change.
pub fn dry_run(
    candidate: &RuleSet,
    active: Option<&Engine>,
    subjects: impl IntoIterator<Item = Subject>,
    seed: u64,
) -> DryRun {
    let engine = Engine::new(candidate.clone());
    let mut report = DryRun {
        candidate_version: candidate.version().to_owned(),
        active_version: active.map(|a| a.version().to_owned()),
        seed,
        subjects: 0,
        rules: candidate
            .rules()
            .iter()
            .map(|r| RuleHits {
                rule_id: r.id.clone(),
                description: r.description.clone(),
                lane: r.lane,
                hits: 0,
                examples: Vec::new(),
            })
            .collect(),
        candidate_lanes: LaneCounts::default(),
        active_lanes: active.map(|_| LaneCounts::default()),
        changed: 0,
        changes: Vec::new(),
    };
    let subjects: Vec<Subject> = subjects.into_iter().collect();
    let decisions = decide_all(&engine, active, &subjects, seed);
    // Rule ids are unique in a valid file; fired rules come in file order,
    // so one forward walk over the rules finds each.
    for (subject, (decision, before)) in subjects.iter().zip(decisions) {
        report.subjects += 1;
        let mut next = 0;
        for fired in decision.fired {
            let Some(pos) = report.rules[next..].iter().position(|r| r.rule_id == fired.rule_id) else { continue };
            next += pos;
            if let Some(r) = report.rules.get_mut(next) {
                r.hits += 1;
                if r.examples.len() < DRY_RUN_EXAMPLES {
                    r.examples.push(HitExample { key: subject.key.clone(), reason: fired.reason });
                }
            }
            next += 1;
        }
        report.candidate_lanes.add(decision.lane, decision.refused);
        if let (Some(before), Some(counts)) = (before, report.active_lanes.as_mut()) {
            counts.add(before.lane, before.refused);
            if before.lane != decision.lane {
                report.changed += 1;
                if report.changes.len() < DRY_RUN_EXAMPLES {
                    report.changes.push(LaneChange { key: subject.key.clone(), from: before.lane, to: decision.lane });
                }
            }
        }
    }
    report
}

/// The candidate's and the active engine's decisions on every subject, in
/// order; the subjects are shared out over the cores (the engines only
/// read).
fn decide_all(
    engine: &Engine,
    active: Option<&Engine>,
    subjects: &[Subject],
    seed: u64,
) -> Vec<(Decision, Option<Decision>)> {
    let none = Warnings::none();
    map_on_cores(subjects, PER_THREAD, |s| {
        (engine.evaluate(s, &none, seed), active.map(|a| a.evaluate(s, &none, seed)))
    })
}

/// `f` of every item, in order, computed on every core: each thread takes a
/// run of the items, and fewer than `per_thread` items a core stay on the
/// calling thread. (A dry run reads and evaluates thousands of lists.)
pub fn map_on_cores<T: Sync, R: Send>(items: &[T], per_thread: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let threads = cores.min(items.len() / per_thread.max(1)).max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let parts: Vec<_> =
            items.chunks(chunk).map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<_>>())).collect();
        parts.into_iter().flat_map(|p| p.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::map_on_cores;

    #[test]
    fn map_on_cores_keeps_the_order_on_one_thread_and_on_several() {
        for n in [0usize, 1, 7, 10_000] {
            let items: Vec<usize> = (0..n).collect();
            let doubled = map_on_cores(&items, 100, |i| i * 2);
            assert_eq!(doubled, (0..n).map(|i| i * 2).collect::<Vec<_>>());
        }
    }
}
