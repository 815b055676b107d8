//! Views over both kinds of order: the state they share, the orders past
//! their deadline (for the deadline sweeper), what an enterprise sees of
//! the orders addressed to it, and the violations on its record.

use serde::{Deserialize, Serialize};

use crate::common::{Millis, Response};
use crate::rectification::RectificationOrder;
use crate::reduction::ReductionOrder;

/// A reduction or a rectification order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    Reduction,
    Rectification,
}

/// An order's state at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Waiting for the enterprise, deadline not passed.
    Issued,
    /// Waiting for the enterprise, deadline passed.
    Overdue,
    /// Waiting for the officer.
    Responded,
    /// Accepted (reduction) or verified (rectification).
    Closed,
    Withdrawn,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Issued => "issued",
            OrderStatus::Overdue => "overdue",
            OrderStatus::Responded => "responded",
            OrderStatus::Closed => "closed",
            OrderStatus::Withdrawn => "withdrawn",
        }
    }

    /// True while the order waits for the enterprise.
    pub fn awaits_enterprise(self) -> bool {
        matches!(self, OrderStatus::Issued | OrderStatus::Overdue)
    }
}

/// An order past its deadline with no response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub kind: OrderKind,
    pub id: String,
    pub version: u32,
    pub enterprise: String,
    pub deadline: Millis,
    /// `now - deadline`.
    pub overdue_ms: Millis,
}

/// The orders overdue at `now` (Issued, `now > deadline`), most overdue
/// first.
pub fn due(reductions: &[ReductionOrder], rectifications: &[RectificationOrder], now: Millis) -> Vec<Due> {
    let reductions = reductions.iter().filter(|o| o.status(now) == OrderStatus::Overdue).map(|o| Due {
        kind: OrderKind::Reduction,
        id: o.id.clone(),
        version: o.version,
        enterprise: o.enterprise.clone(),
        deadline: o.deadline,
        overdue_ms: now.saturating_sub(o.deadline),
    });
    let rectifications = rectifications.iter().filter(|o| o.status(now) == OrderStatus::Overdue).map(|o| Due {
        kind: OrderKind::Rectification,
        id: o.id.clone(),
        version: o.version,
        enterprise: o.enterprise.clone(),
        deadline: o.deadline,
        overdue_ms: now.saturating_sub(o.deadline),
    });
    let mut all: Vec<Due> = reductions.chain(rectifications).collect();
    all.sort_by(|a, b| a.deadline.cmp(&b.deadline).then_with(|| a.id.cmp(&b.id)));
    all
}

/// What an enterprise sees of one order addressed to it: no officer ids
/// and no follow-up notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub kind: OrderKind,
    pub id: String,
    pub version: u32,
    pub status: OrderStatus,
    /// What is asked: the reduction action (`stop_sale`, …) or the
    /// violation (`smuggling`, …).
    pub subject: String,
    /// The goods (reduction) or the violation's description (rectification).
    pub description: String,
    /// Related document ids (rectification).
    pub documents: Vec<String>,
    pub issued_at: Millis,
    pub deadline: Millis,
    /// The enterprise's latest response.
    pub response: Option<Response>,
    /// Why the latest response was turned down, when it was and the order
    /// waits for a new one.
    pub rejected_because: Option<String>,
    /// For a verified rectification: whether the violation stands.
    pub upheld: Option<bool>,
}

/// The orders addressed to one enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseView {
    pub enterprise: String,
    /// Those waiting for the enterprise first (earliest deadline first),
    /// then the others, newest first.
    pub orders: Vec<OrderView>,
    /// Upheld violations on its record.
    pub violations: u32,
}

/// The orders addressed to the enterprise `code`, as it may see them at
/// `now`.
pub fn enterprise_view(
    reductions: &[ReductionOrder],
    rectifications: &[RectificationOrder],
    code: &str,
    now: Millis,
) -> EnterpriseView {
    let mine = |e: &str| e.eq_ignore_ascii_case(code);
    let mut orders: Vec<OrderView> = Vec::new();
    for o in reductions.iter().filter(|o| mine(&o.enterprise)) {
        let status = o.status(now);
        orders.push(OrderView {
            kind: OrderKind::Reduction,
            id: o.id.clone(),
            version: o.version,
            status,
            subject: o.action.as_str().to_owned(),
            description: o.goods.clone(),
            documents: Vec::new(),
            issued_at: o.issued_at,
            deadline: o.deadline,
            response: o.last_response().cloned(),
            rejected_because: status
                .awaits_enterprise()
                .then(|| o.rejections.last().map(|r| r.reason.clone()))
                .flatten(),
            upheld: None,
        });
    }
    for o in rectifications.iter().filter(|o| mine(&o.enterprise)) {
        let status = o.status(now);
        orders.push(OrderView {
            kind: OrderKind::Rectification,
            id: o.id.clone(),
            version: o.version,
            status,
            subject: o.violation.as_str().to_owned(),
            description: o.description.clone(),
            documents: o.documents.clone(),
            issued_at: o.issued_at,
            deadline: o.deadline,
            response: o.last_response().cloned(),
            rejected_because: status
                .awaits_enterprise()
                .then(|| o.reopenings.last().map(|r| r.reason.clone()))
                .flatten(),
            upheld: o.upheld(),
        });
    }
    orders.sort_by(|a, b| {
        let (wa, wb) = (a.status.awaits_enterprise(), b.status.awaits_enterprise());
        wb.cmp(&wa).then_with(|| {
            if wa { a.deadline.cmp(&b.deadline) } else { b.issued_at.cmp(&a.issued_at) }.then_with(|| a.id.cmp(&b.id))
        })
    });
    EnterpriseView { enterprise: code.to_owned(), orders, violations: violations(rectifications, code) }
}

/// The violations on an enterprise's record: its rectification orders
/// verified as upheld.
pub fn violations(rectifications: &[RectificationOrder], enterprise: &str) -> u32 {
    let n = rectifications
        .iter()
        .filter(|o| o.enterprise.eq_ignore_ascii_case(enterprise) && o.upheld() == Some(true))
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}
