//! Summary declaration of retail export (清单核放、汇总申报): a CEB701
//! summary application gathers released 9610/1210 lists of one e-commerce
//! enterprise into customs declarations; customs answers with a CEB702
//! receipt and a CEB792 summary result naming, for each declaration, the
//! list items it covers.
//!
//! Lists are chosen by the application's body (`invtNo`s) or, when it gives
//! `startTime` and `endTime`, by the day they were released. Declarations
//! are formed by the merge keys of the domain guide (§4.2): the consignor
//! (the e-commerce enterprise), with `summaryFlag` 2 also the producer or
//! seller (`ownerCode`), the transport mode, the destination country and
//! the exit customs. Within a declaration, list items with the same 10-digit
//! HS code and currency (and, with `itemNameFlag` 1, the same name) share
//! one declaration item (`gseqno`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Work, china_date};
use crate::facts::{ExportListFacts, Facts, Incoming, Kind, SummaryFacts, key, window_days};
use crate::status::{Event, Status};

/// A CEB792 summary result to issue: the declarations of one accepted
/// summary application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryResult {
    /// The summary application (its last part) and its guid.
    pub doc_id: String,
    pub guid: String,
    pub sum_no: String,
    pub customs_code: String,
    pub agent_code: String,
    pub agent_name: String,
    pub ebc_code: String,
    pub ebc_name: String,
    pub decl_agent_code: String,
    pub decl_agent_name: String,
    pub declarations: Vec<Declaration>,
    pub recipients: Vec<String>,
}

/// One customs declaration of a summary (`declSeqNo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    pub decl_seq_no: String,
    /// The merge keys, for people: `ebc=…, traf_mode=…, …`.
    pub keys: String,
    pub gross_weight: Decimal,
    pub net_weight: Decimal,
    pub lines: Vec<Line>,
}

/// A list item and the declaration item (`gseqno`) it is merged into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub invt_no: String,
    pub logistics_no: String,
    pub gseqno: i32,
    pub gnum: i32,
    pub gcode: String,
}

/// The flag a list gets when summarised, followed by the summary number.
pub const SUMMARISED: &str = "summarised ";

/// Whether a list is already in a summary.
fn summarised(flags: &[String]) -> Option<&str> {
    flags.iter().find_map(|f| f.strip_prefix(SUMMARISED))
}

/// The parts of one summary application already stored and still waiting.
fn waiting_parts(w: &Work, s: &SummaryFacts, except: &str) -> Vec<usize> {
    let k = key::summary(&s.agent_code, &s.cop_no);
    (0..w.docs.len())
        .filter(|&i| {
            let d = &w.docs[i];
            d.id != except && d.kind() == Kind::Summary && d.status == Status::Declaring && d.facts.keys().contains(&k)
        })
        .collect()
}

fn part_of<'w>(w: &'w Work, i: usize) -> Option<&'w SummaryFacts> {
    match &w.docs[i].facts {
        Facts::Summary(s) => Some(s),
        _ => None,
    }
}

/// Takes one part of a summary application.
pub(super) fn take_summary(w: &mut Work, id: &str, inc: &Incoming, sender: &str) {
    let Facts::Summary(s) = &inc.facts else { return };
    let refuse = |w: &mut Work, info: String| {
        w.create(id, inc, sender, Status::Rejected, Status::Rejected.code(), info);
    };
    let mut problems = Vec::new();
    if sender != s.agent_code {
        problems.push(format!("agentCode {} is not the sender {sender}: the agent files the summary", s.agent_code));
    }
    if !matches!(s.summary_flag.as_str(), "1" | "2") {
        problems.push(format!("summaryFlag {:?}: 1 (by consignor) or 2 (by consignor and producer)", s.summary_flag));
    }
    if !(1..=s.msg_count).contains(&s.msg_seq_no) {
        problems.push(format!("msgSeqNo {} is not within 1..={} (msgCount)", s.msg_seq_no, s.msg_count));
    }
    let window = match (&s.start_time, &s.end_time) {
        (Some(a), Some(b)) => match window_days(a, b) {
            Ok(_) => Some((a.clone(), b.clone())),
            Err(why) => {
                problems.push(why);
                None
            }
        },
        (None, None) => None,
        _ => {
            problems.push("startTime and endTime: give both for a window, or neither and name the lists".into());
            None
        }
    };
    if window.is_none() && s.start_time.is_none() && s.invt_nos.is_empty() {
        problems.push("SummaryApplyList: name the lists (invtNo), or give startTime and endTime".into());
    }
    let parts = waiting_parts(w, s, id);
    for &p in &parts {
        let Some(other) = part_of(w, p) else { continue };
        if other.msg_count != s.msg_count {
            problems.push(format!(
                "msgCount {} differs from {} in part {}",
                s.msg_count, other.msg_count, other.msg_seq_no
            ));
        }
        if other.msg_seq_no == s.msg_seq_no {
            problems.push(format!("part {} of summary {} was received already", s.msg_seq_no, s.cop_no));
        }
    }
    if w.live(Kind::Summary, &key::summary(&s.agent_code, &s.cop_no), id)
        .is_some_and(|i| matches!(w.docs[i].status, Status::Accepted | Status::Concluded))
    {
        problems.push(format!("summary {} of agent {} was concluded already", s.cop_no, s.agent_code));
    }
    if !problems.is_empty() {
        return refuse(w, format!("summary {}: {}", s.cop_no, problems.join("; ")));
    }
    let received = parts.len() + 1;
    let count = usize::try_from(s.msg_count).unwrap_or(1);
    if received < count {
        let missing: Vec<String> = (1..=s.msg_count)
            .filter(|n| *n != s.msg_seq_no && !parts.iter().any(|&p| part_of(w, p).is_some_and(|o| o.msg_seq_no == *n)))
            .map(|n| n.to_string())
            .collect();
        let info =
            format!("part {} of {} received; waiting for part(s) {}", s.msg_seq_no, s.msg_count, missing.join(", "));
        let i = w.create(id, inc, sender, Status::Declaring, Status::Declaring.code(), info);
        w.docs[i].deadline = Some(w.now + w.config.pending_deadline_ms);
        return;
    }
    // Every part is here: the lists of all of them.
    let mut invt_nos: Vec<String> = Vec::new();
    for &p in &parts {
        if let Some(o) = part_of(w, p) {
            invt_nos.extend(o.invt_nos.iter().cloned());
        }
    }
    invt_nos.extend(s.invt_nos.iter().cloned());
    let chosen = match &window {
        Some((a, b)) => lists_in_window(w, s, a, b),
        None => named_lists(w, s, &invt_nos),
    };
    let lists = match chosen {
        Ok(lists) if lists.is_empty() => Err(vec![match &window {
            Some((a, b)) => {
                format!("no released list of {} declared at {} to summarise in {a}–{b}", s.ebc_code, s.customs_code)
            }
            None => "no list to summarise".to_string(),
        }]),
        other => other,
    };
    let lists = match lists {
        Ok(lists) => lists,
        Err(problems) => {
            let info = format!("summary {}: {}", s.cop_no, problems.join("; "));
            for &p in &parts {
                let _ = w.go(p, Event::Refused, Status::Rejected, info.clone());
            }
            return refuse(w, info);
        }
    };
    let date = china_date(w.now);
    let sum_no = format!("S{date}{:09}", w.next(format!("sum|{date}")));
    let declarations = declarations(w, s, &lists, &date);
    let total: usize = declarations.iter().map(|d| d.lines.len()).sum();
    let info = format!(
        "汇总成功 summary {sum_no}: {} list(s), {total} item(s) in {} declaration(s)",
        lists.len(),
        declarations.len()
    );
    for &i in &lists {
        w.docs[i].flags.push(format!("{SUMMARISED}{sum_no}"));
        w.changed.insert(w.docs[i].id.clone());
        let d = &w.docs[i];
        w.plan.moves.push(super::Move {
            doc_id: d.id.clone(),
            from: Some(d.status),
            to: d.status,
            event: None,
            reason: format!("summarised in {sum_no}"),
        });
    }
    for &p in &parts {
        if let Facts::Summary(f) = &mut w.docs[p].facts {
            f.sum_no = Some(sum_no.clone());
        }
        let _ = w.go(p, Event::Matched, Status::Accepted, info.clone());
        w.plan.receipts.pop();
        let _ = w.go(p, Event::Conclude, Status::Concluded, info.clone());
    }
    let mut stored = inc.clone();
    if let Facts::Summary(f) = &mut stored.facts {
        f.sum_no = Some(sum_no.clone());
    }
    let j = w.create(id, &stored, sender, Status::Accepted, String::new(), String::new());
    w.plan.receipts.pop();
    let _ = w.go(j, Event::Conclude, Status::Concluded, info);
    let mut recipients = w.recipients(&w.docs[j]);
    if !s.decl_agent_code.is_empty() && !recipients.contains(&s.decl_agent_code) {
        recipients.push(s.decl_agent_code.clone());
    }
    w.plan.summaries.push(SummaryResult {
        doc_id: id.to_string(),
        guid: inc.guid.clone(),
        sum_no,
        customs_code: s.customs_code.clone(),
        agent_code: s.agent_code.clone(),
        agent_name: s.agent_name.clone(),
        ebc_code: s.ebc_code.clone(),
        ebc_name: s.ebc_name.clone(),
        decl_agent_code: s.decl_agent_code.clone(),
        decl_agent_name: s.decl_agent_name.clone(),
        declarations,
        recipients,
    });
}

/// Why a list cannot be summarised by this application, if it cannot.
fn ineligible(s: &SummaryFacts, status: Status, flags: &[String], l: &ExportListFacts) -> Option<String> {
    let no = l.invt_no.clone().unwrap_or_default();
    if l.ebc_code != s.ebc_code {
        return Some(format!("list {no} belongs to e-commerce enterprise {}, not {}", l.ebc_code, s.ebc_code));
    }
    if l.customs_code != s.customs_code {
        return Some(format!("list {no} was declared at customs {}, not {}", l.customs_code, s.customs_code));
    }
    if !matches!(l.trade_mode.as_str(), "9610" | "1210") {
        return Some(format!(
            "list {no} is B2B export ({}): declared on its own list or declaration form, not summarised",
            l.trade_mode
        ));
    }
    if l.statistics_flag != "B" {
        return Some(format!(
            "list {no} has statisticsFlag {}; only B (summary declaration) lists are summarised",
            l.statistics_flag
        ));
    }
    if !matches!(status, Status::Released | Status::Closed) {
        return Some(format!(
            "list {no} is in status {}; only released lists (800, 899) are summarised",
            status.code()
        ));
    }
    summarised(flags).map(|sum| format!("list {no} is already in summary {sum}"))
}

/// The lists named in the body: each must exist and be eligible.
fn named_lists(w: &Work, s: &SummaryFacts, invt_nos: &[String]) -> Result<Vec<usize>, Vec<String>> {
    let (mut found, mut problems) = (Vec::new(), Vec::new());
    for no in invt_nos {
        let Some(i) = w.live(Kind::ExportList, &key::invt(no), "") else {
            problems.push(format!("list {no}: no such export list"));
            continue;
        };
        if found.contains(&i) {
            problems.push(format!("list {no} is named twice"));
            continue;
        }
        let Facts::ExportList(l) = &w.docs[i].facts else { continue };
        match ineligible(s, w.docs[i].status, &w.docs[i].flags, l) {
            Some(why) => problems.push(why),
            None => found.push(i),
        }
    }
    if problems.is_empty() { Ok(found) } else { Err(problems) }
}

/// Every eligible list of the enterprise released within the window
/// (inclusive, China time); lists that are not eligible are left out.
fn lists_in_window(w: &Work, s: &SummaryFacts, start: &str, end: &str) -> Result<Vec<usize>, Vec<String>> {
    let days = window_days(start, end).map_err(|e| vec![e])?;
    let keys: Vec<String> = days.iter().map(|d| key::released(&s.ebc_code, d)).collect();
    let mut found: Vec<usize> = (0..w.docs.len())
        .filter(|&i| {
            let d = &w.docs[i];
            let Facts::ExportList(l) = &d.facts else { return false };
            let at = d.released_at.map(super::china_stamp).unwrap_or_default();
            d.facts.keys().iter().any(|k| keys.contains(k))
                && at.as_str() >= start
                && at.as_str() <= end
                && ineligible(s, d.status, &d.flags, l).is_none()
        })
        .collect();
    found.sort_by_key(|&i| (w.docs[i].released_at, w.docs[i].id.clone()));
    Ok(found)
}

/// Groups the lists into declarations by the merge keys and numbers the
/// merged items.
fn declarations(w: &mut Work, s: &SummaryFacts, lists: &[usize], date: &str) -> Vec<Declaration> {
    let mut groups: BTreeMap<Vec<String>, Vec<usize>> = BTreeMap::new();
    for &i in lists {
        let Facts::ExportList(l) = &w.docs[i].facts else { continue };
        let mut k = vec![l.ebc_code.clone()];
        if s.summary_flag == "2" {
            k.push(l.owner_code.clone());
        }
        k.extend([l.traf_mode.clone(), l.country.clone(), l.port_code.clone()]);
        groups.entry(k).or_default().push(i);
    }
    let mut out = Vec::new();
    for (k, members) in groups {
        let decl_seq_no = format!("D{date}{:09}", w.next(format!("decl|{date}")));
        let names = if s.summary_flag == "2" {
            vec!["ebc", "owner", "traf_mode", "country", "port"]
        } else {
            vec!["ebc", "traf_mode", "country", "port"]
        };
        let keys = names.iter().zip(&k).map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join(", ");
        let (mut gross, mut net) = (Decimal::ZERO, Decimal::ZERO);
        let mut items: Vec<(String, String, String)> = Vec::new();
        let mut lines = Vec::new();
        for i in members {
            let Facts::ExportList(l) = &w.docs[i].facts else { continue };
            gross += l.gross_weight;
            net += l.net_weight;
            for it in &l.items {
                let name = if s.item_name_flag == "1" { it.gname.clone() } else { String::new() };
                let merge = (it.gcode.clone(), it.currency.clone(), name);
                let pos = match items.iter().position(|x| *x == merge) {
                    Some(p) => p,
                    None => {
                        items.push(merge);
                        items.len() - 1
                    }
                };
                lines.push(Line {
                    invt_no: l.invt_no.clone().unwrap_or_default(),
                    logistics_no: l.logistics_no.clone(),
                    gseqno: i32::try_from(pos + 1).unwrap_or(i32::MAX),
                    gnum: it.gnum,
                    gcode: it.gcode.clone(),
                });
            }
        }
        out.push(Declaration { decl_seq_no, keys, gross_weight: gross, net_weight: net, lines });
    }
    out
}

/// A waiting part whose other parts did not come in time.
pub(super) fn expire_part(w: &mut Work, i: usize) {
    let Some(s) = part_of(w, i).cloned() else { return };
    let mut have = vec![s.msg_seq_no];
    for p in waiting_parts(w, &s, &w.docs[i].id.clone()) {
        if let Some(o) = part_of(w, p) {
            have.push(o.msg_seq_no);
        }
    }
    let missing: Vec<String> = (1..=s.msg_count).filter(|n| !have.contains(n)).map(|n| n.to_string()).collect();
    let info = format!("deadline passed while waiting for part(s) {} of summary {}", missing.join(", "), s.cop_no);
    let _ = w.go(i, Event::Refused, Status::Rejected, info);
}
