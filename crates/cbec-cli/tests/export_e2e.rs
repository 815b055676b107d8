//! End to end: export clearance through a spawned `cbec serve` on SQLite
//! and on PostgreSQL. Seven enterprises with real keys send signed messages
//! over HTTP: a 9610 export from order to departure, its summary
//! declaration, return and return tally; the three routes between the
//! declaring customs and the exit port; a cancellation; 9710 by list and by
//! declaration form; 9810 refused without the overseas warehouse filing and
//! for a dishonest rating, accepted with the filing. Every receipt is
//! checked with xmllint against the official export XSD.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use cbec_ceb::Message;
use cbec_fixtures::export_messages::{arrival, departure, export_cancel, export_refund, return_tally, summary_apply};
use cbec_fixtures::{ExportCase, ExportMode, export_case};
use cbec_pipeline::traffic::Party;
use serde_json::{Value, json};
use support::*;

/// Sends a message signed by `who`; the answer's body.
fn send(s: &Server, who: &(Party, String), m: &Message) -> String {
    let r = s.raw("POST", "/api/v1/messages", Some(&who.1), "application/xml", &who.0.sign(m).unwrap());
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// The value of the first `<ceb:NAME>` in a receipt.
fn field(xml: &str, name: &str) -> String {
    let open = format!("<ceb:{name}>");
    let at = xml.find(&open).unwrap_or_else(|| panic!("no {name} in {xml}")) + open.len();
    xml[at..at + xml[at..].find('<').unwrap()].to_string()
}

/// Sends a case's documents (B2B cases skip the receipt of payment); the
/// list's answer and its invtNo (empty when refused).
fn declare(s: &Server, a: &Actors, case: &ExportCase) -> (String, String) {
    let [order, receipt, waybill, list] = case.messages();
    let b2b = case.list.inventory[0].inventory_head.trade_mode != "9610";
    send(s, &a.ebp, &order);
    if !b2b {
        send(s, &a.pay, &receipt);
    }
    send(s, &a.logistics, &waybill);
    let answer = send(s, &a.agent, &list);
    let invt = if statuses(&answer).contains(&"120".to_string()) { field(&answer, "invtNo") } else { String::new() };
    (answer, invt)
}

fn retail(seed: u64, a: &Actors, customs: &str) -> ExportCase {
    let mut case = export_case(seed, ExportMode::Retail, 2, &a.codes());
    let head = &mut case.list.inventory[0].inventory_head;
    head.customs_code = customs.into();
    head.statistics_flag = "B".into();
    case
}

/// The export list whose business key is `invt`, in detail (officer view).
fn list_detail(s: &Server, token: &str, invt: &str) -> Value {
    let lists = expect(s.call("GET", "/api/v1/documents?kind=export_list&limit=100", Some(token), None), 200, "lists");
    let id = lists.as_array().unwrap().iter().find(|d| d["business_key"] == invt).expect("list")["id"].clone();
    expect(s.call("GET", &format!("/api/v1/documents/{}", id.as_str().unwrap()), Some(token), None), 200, "list")
}

fn guid(prefix: &str, n: u32) -> String {
    format!("{prefix}-0000-4000-8000-{n:012}")
}

fn story(tag: &str, db: &str) {
    let dir = workdir(tag);
    let a = file_actors(db);
    let mut tokens = std::collections::HashMap::new();
    for (role, name) in [("reviewer", "rita"), ("supervisor", "sam")] {
        let (code, out, err) = cbec(&dir, &["admin", "create-officer", "--db", db, "--role", role, "--name", name]);
        assert_eq!(code, 0, "{err}");
        tokens.insert(role, last_line(&out));
    }
    let (reviewer, supervisor) = (tokens["reviewer"].clone(), tokens["supervisor"].clone());
    let s = start(&dir, db);
    let (operator, logistics) = (a.operator.0.code.clone(), a.logistics.0.code.clone());
    let arrive = |n: u32, customs: &str, no: &str| {
        send(&s, &a.operator, &arrival(&guid("A1000001", n), customs, &operator, &logistics, &[no.to_string()]))
    };
    let depart = |n: u32, customs: &str, no: &str| {
        send(&s, &a.logistics, &departure(&guid("D1000001", n), customs, &logistics, &[no.to_string()]))
    };

    // 9610 retail export, declared and leaving in one district (local route):
    // order, receipt of payment, waybill, list; arrival releases, departure closes.
    let local = retail(3001, &a, "5300");
    let (answer, invt) = declare(&s, &a, &local);
    assert_eq!(statuses(&answer), ["120"], "{answer}");
    let no = local.list.inventory[0].inventory_head.logistics_no.clone();
    let refused = arrive(1, "2200", &no);
    assert_eq!(statuses(&refused), ["100"], "{refused}");
    assert!(refused.contains("5300"), "the refusal names the customs the route allows: {refused}");
    assert_eq!(statuses(&arrive(2, "5300", &no)), ["399"]);
    assert_eq!(list_detail(&s, &reviewer, &invt)["status"], "released");
    assert_eq!(statuses(&depart(1, "5301", &no)), ["399"]);
    let detail = list_detail(&s, &reviewer, &invt);
    assert_eq!((detail["status"].as_str(), detail["route"].as_str()), (Some("closed"), Some("local")));

    // Its summary declaration: CEB702 concluded, a CEB792 result to the agent.
    let sum = summary_apply(
        &guid("5A100001", 1),
        "SUM-E2E-1",
        &a.agent.0.code,
        &a.ebc.0.code,
        std::slice::from_ref(&invt),
        None,
        ("1", "1"),
        (1, 1),
    );
    let answer = send(&s, &a.agent, &sum);
    assert_eq!(statuses(&answer), ["399"], "{answer}");
    let agent_receipts = pull_all(&s, &a.agent.1);
    let result = agent_receipts.iter().find(|r| r["message_type"] == "CEB792Message").expect("a CEB792");
    assert!(result["xml"].as_str().unwrap().contains(&invt));
    assert!(list_detail(&s, &reviewer, &invt)["flags"].to_string().contains("summarised S"));

    // The buyer sends the goods back: return (CEB213) and tally (CEB215).
    let head = local.list.inventory[0].inventory_head.clone();
    let item = local.list.inventory[0].inventory_list[0].clone();
    let refund_guid = guid("B1000001", 1);
    let answer = send(&s, &a.agent, &export_refund(&refund_guid, &head, &item, &invt, "502", "9661", item.qty));
    assert_eq!(statuses(&answer), ["120"], "{answer}");
    let tally = return_tally(&guid("C1000001", 1), &operator, &head, &invt, &refund_guid, None);
    assert_eq!(statuses(&send(&s, &a.operator, &tally)), ["399"]);

    // Declared at home (1500), leaving through Shenzhen (5301): transfer
    // (supervised at home, then moved) and integrated clearance (supervised
    // and released at the port).
    let transfer = retail(3002, &a, "1500");
    let (_, transfer_invt) = declare(&s, &a, &transfer);
    let no = transfer.list.inventory[0].inventory_head.logistics_no.clone();
    assert_eq!(statuses(&arrive(3, "1500", &no)), ["399"]);
    let detail = list_detail(&s, &reviewer, &transfer_invt);
    assert_eq!(detail["route"], "transfer");
    assert!(detail["flags"].to_string().contains("transfer open"), "{detail}");
    assert_eq!(statuses(&depart(2, "1500", &no)), ["100"], "not the exit port");
    assert_eq!(statuses(&depart(3, "5301", &no)), ["399"]);
    let detail = list_detail(&s, &reviewer, &transfer_invt);
    assert_eq!(detail["status"], "closed");
    assert!(detail["flags"].to_string().contains("transfer closed"), "{detail}");
    let integrated = retail(3003, &a, "1500");
    let (_, integrated_invt) = declare(&s, &a, &integrated);
    let no = integrated.list.inventory[0].inventory_head.logistics_no.clone();
    assert_eq!(statuses(&arrive(4, "5301", &no)), ["399"]);
    assert_eq!(list_detail(&s, &reviewer, &integrated_invt)["route"], "integrated");

    // A cancellation (CEB605) by the list's agent.
    let cancelled = retail(3004, &a, "5300");
    let (_, cancelled_invt) = declare(&s, &a, &cancelled);
    let head = cancelled.list.inventory[0].inventory_head.clone();
    let answer = send(&s, &a.agent, &export_cancel(&guid("E1000001", 1), &head, &cancelled_invt, &a.agent.0.code));
    assert_eq!(statuses(&answer), ["399"], "{answer}");
    assert_eq!(list_detail(&s, &reviewer, &cancelled_invt)["status"], "cancelled");

    // 9710: a list when eligible; a full declaration form otherwise, linked
    // by its 10000004 attached document.
    let (answer, _) = declare(&s, &a, &export_case(3005, ExportMode::B2bDirect, 2, &a.codes()).small());
    assert_eq!(statuses(&answer), ["120"], "{answer}");
    let big = export_case(3006, ExportMode::B2bDirect, 2, &a.codes());
    let (answer, _) = declare(&s, &a, &big);
    assert_eq!(statuses(&answer), ["100"]);
    assert!(answer.contains("declaration form (H2018) is required") && answer.contains("5000 CNY"), "{answer}");
    let order = &big.order.order[0].order_head;
    let form = json!({
        "entry_id": "530120261000000777",
        "trade_mode": "9710",
        "customs_code": "5300",
        "ebc_code": a.ebc.0.code,
        "ebp_code": order.ebp_code,
        "attachments": [{"type": "10000004", "number": order.order_no}]
    });
    let linked = expect(s.call("POST", "/api/v1/declaration-forms", Some(&reviewer), Some(&form)), 201, "form");
    assert_eq!((linked["kind"].as_str(), linked["status"].as_str()), (Some("declaration_form"), Some("accepted")));
    expect(s.call("POST", "/api/v1/declaration-forms", Some(&reviewer), Some(&form)), 409, "the same form again");

    // 9810: refused without the overseas warehouse filing.
    let (answer, _) = declare(&s, &a, &export_case(3007, ExportMode::B2bWarehouse, 1, &a.codes()).small());
    assert_eq!(statuses(&answer), ["100"]);
    assert!(answer.contains("overseas warehouse"), "{answer}");
    // The e-commerce enterprise files its warehouse; customs approves it.
    let ebc_id = a.ebc.0.id.clone();
    let wh = json!({"warehouse": {"name": "洛杉矶仓", "country": "502", "address": "1 Main St, Los Angeles", "area_m2": "1200", "nature": "leased", "document": "LEASE-2026-07"}});
    let app = expect(
        s.call(
            "POST",
            "/api/v1/applications",
            Some(&a.ebc.1),
            Some(&json!({"kind": "overseas_warehouse", "enterprise_id": ebc_id, "payload": wh})),
        ),
        201,
        "warehouse filing",
    );
    let approve = format!("/api/v1/applications/{}/approve", app["id"].as_str().unwrap());
    expect(s.call("POST", &approve, Some(&reviewer), None), 200, "approve the warehouse");
    // Filing records are cached for up to 2 s.
    std::thread::sleep(Duration::from_millis(2_200));
    let (answer, _) = declare(&s, &a, &export_case(3008, ExportMode::B2bWarehouse, 1, &a.codes()).small());
    assert_eq!(statuses(&answer), ["120"], "{answer}");
    // Dishonest: refused again.
    let credit = json!({"rating": "dishonest", "reason": "走私违规"});
    expect(
        s.call("POST", &format!("/api/v1/enterprises/{ebc_id}/credit"), Some(&supervisor), Some(&credit)),
        200,
        "rate",
    );
    std::thread::sleep(Duration::from_millis(2_200));
    let (answer, _) = declare(&s, &a, &export_case(3009, ExportMode::B2bWarehouse, 1, &a.codes()).small());
    assert_eq!(statuses(&answer), ["100"]);
    assert!(answer.contains("dishonest"), "{answer}");

    // Every receipt any party can pull is valid against the export XSD.
    let mut all: Vec<Value> = Vec::new();
    for who in [&a.agent, &a.ebc, &a.logistics, &a.operator, &a.ebp, &a.pay] {
        for r in pull_all(&s, &who.1) {
            if !all.iter().any(|x| x["id"] == r["id"]) {
                all.push(r);
            }
        }
    }
    assert!(xmllint(&dir, &all, "ceb-export-202205.xsd") > 40);
}

#[test]
fn export_on_sqlite() {
    let dir = workdir("export-sqlite-db");
    story("export-sqlite", &format!("sqlite://{}", dir.join("cbec.db").display()));
}

#[test]
fn export_on_postgres() {
    let (db, _guard) = pg_database("export");
    story("export-postgres", &db);
}
