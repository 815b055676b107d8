//! The export messages that follow a list — arrival, departure, bill link,
//! cancellation, return, return tally and summary application — built for
//! tests and demonstrations the way the enterprises send them.
//!
//! Numbers derived from the guid keep separate messages apart: the
//! arrival's and departure's `copNo` is `ARR`/`DEP` + the guid's last 12
//! characters (one manifest per message), a return's inbound waybill is
//! `RET` + the guid's first 8 characters and its `coElNo` `RC` + the same.

use cbec_ceb::Message;
use cbec_ceb::export::{BaseTransfer, InventoryHead, InventoryList};
use cbec_model::Decimal;

fn base_transfer(cop_code: &str, cop_name: &str, dxp_id: &str) -> BaseTransfer {
    BaseTransfer {
        cop_code: cop_code.into(),
        cop_name: cop_name.into(),
        dxp_mode: "DXP".into(),
        dxp_id: dxp_id.into(),
        note: None,
    }
}

pub fn arrival(guid: &str, customs: &str, operator: &str, logistics: &str, nos: &[String]) -> Message {
    use cbec_ceb::export::{Arrival, ArrivalHead, ArrivalList, BaseTransfer, CEB507Message};
    Message::CEB507Message(Box::new(CEB507Message {
        guid: guid.into(),
        version: "1.0".into(),
        arrival: vec![Arrival {
            arrival_head: ArrivalHead {
                guid: guid.into(),
                app_type: "1".into(),
                app_time: "20261127120000".into(),
                app_status: "2".into(),
                customs_code: customs.into(),
                cop_no: format!("ARR{}", &guid[24..]),
                pre_no: None,
                operator_code: operator.into(),
                operator_name: "示例监管场所经营有限公司".into(),
                loct_no: None,
                ie_flag: "E".into(),
                traf_mode: "4".into(),
                bill_no: None,
                domestic_traf_no: "粤B12345".into(),
                logistics_code: logistics.into(),
                logistics_name: "示例国际物流有限公司".into(),
                msg_count: 1,
                msg_seq_no: 1,
                note: None,
            },
            arrival_list: nos
                .iter()
                .enumerate()
                .map(|(n, no)| ArrivalList {
                    gnum: n as i32 + 1,
                    logistics_no: no.clone(),
                    total_package_no: None,
                    note: None,
                })
                .collect(),
        }],
        base_transfer: BaseTransfer {
            cop_code: operator.into(),
            cop_name: "示例监管场所经营有限公司".into(),
            dxp_mode: "DXP".into(),
            dxp_id: "DXPENT0000000002".into(),
            note: None,
        },
        base_subscribe: Vec::new(),
        signature: None,
        extend_message: None,
    }))
}

pub fn departure(guid: &str, customs: &str, logistics: &str, nos: &[String]) -> Message {
    use cbec_ceb::export::{BaseTransfer, CEB509Message, Departure, DepartureHead, DepartureList};
    Message::CEB509Message(Box::new(CEB509Message {
        guid: guid.into(),
        version: "1.0".into(),
        departure: vec![Departure {
            departure_head: DepartureHead {
                guid: guid.into(),
                app_type: "1".into(),
                app_time: "20261127180000".into(),
                app_status: "2".into(),
                customs_code: customs.into(),
                cop_no: format!("DEP{}", &guid[24..]),
                pre_no: None,
                logistics_code: logistics.into(),
                logistics_name: "示例国际物流有限公司".into(),
                traf_mode: "5".into(),
                traf_name: Some("CZ3101".into()),
                voyage_no: Some("20261128".into()),
                bill_no: Some("784-12345675".into()),
                leave_time: "20261127200000".into(),
                msg_count: 1,
                msg_seq_no: 1,
                note: None,
            },
            departure_list: nos
                .iter()
                .enumerate()
                .map(|(n, no)| DepartureList {
                    gnum: n as i32 + 1,
                    total_package_no: None,
                    logistics_no: no.clone(),
                    note: None,
                })
                .collect(),
        }],
        base_transfer: BaseTransfer {
            cop_code: logistics.into(),
            cop_name: "示例国际物流有限公司".into(),
            dxp_mode: "DXP".into(),
            dxp_id: "DXPENT0000000003".into(),
            note: None,
        },
        base_subscribe: Vec::new(),
        signature: None,
        extend_message: None,
    }))
}

/// A CEB701 summary application from the agent (`invt_nos` named, or a
/// window), part `seq` of `count`.
#[allow(clippy::too_many_arguments)]
pub fn summary_apply(
    guid: &str,
    cop_no: &str,
    agent: &str,
    ebc: &str,
    invt_nos: &[String],
    window: Option<(&str, &str)>,
    flags: (&str, &str),
    part: (i32, i32),
) -> Message {
    use cbec_ceb::export::{BaseTransfer, CEB701Message, SummaryApply, SummaryApplyHead, SummaryApplyList};
    Message::CEB701Message(Box::new(CEB701Message {
        guid: guid.into(),
        version: "1.0".into(),
        summary_apply: vec![SummaryApply {
            summary_apply_head: SummaryApplyHead {
                guid: guid.into(),
                app_type: "1".into(),
                app_time: "20261128090000".into(),
                app_status: "2".into(),
                customs_code: "5300".into(),
                cop_no: cop_no.into(),
                pre_no: None,
                sum_no: None,
                agent_code: agent.into(),
                agent_name: "示例报关代理有限公司".into(),
                ebc_code: ebc.into(),
                ebc_name: "示例跨境电商企业".into(),
                decl_agent_code: agent.into(),
                decl_agent_name: "示例报关代理有限公司".into(),
                start_time: window.map(|w| w.0.into()),
                end_time: window.map(|w| w.1.into()),
                loct_no: None,
                summary_flag: flags.0.into(),
                item_name_flag: flags.1.into(),
                msg_count: part.1,
                msg_seq_no: part.0,
                note: None,
            },
            summary_apply_list: invt_nos.iter().map(|n| SummaryApplyList { invt_no: n.clone() }).collect(),
        }],
        base_transfer: BaseTransfer {
            cop_code: agent.into(),
            cop_name: "示例报关代理有限公司".into(),
            dxp_mode: "DXP".into(),
            dxp_id: "DXPENT0000000003".into(),
            note: None,
        },
        base_subscribe: Vec::new(),
        signature: None,
        extend_message: None,
    }))
}

/// A CEB607 bill link part from the agent.
pub fn bill_link(
    guid: &str,
    cop_no: &str,
    agent: &str,
    logistics: &str,
    bill: &str,
    nos: &[String],
    part: (i32, i32),
) -> Message {
    use cbec_ceb::export::{BaseTransfer, CEB607Message, WayBill, WayBillHead, WayBillList};
    Message::CEB607Message(Box::new(CEB607Message {
        guid: guid.into(),
        version: "1.0".into(),
        way_bill: vec![WayBill {
            way_bill_head: WayBillHead {
                guid: guid.into(),
                app_type: "1".into(),
                app_time: "20261127150000".into(),
                app_status: "2".into(),
                customs_code: "5300".into(),
                cop_no: cop_no.into(),
                pre_no: None,
                agent_code: agent.into(),
                agent_name: "示例报关代理有限公司".into(),
                loct_no: None,
                traf_mode: "5".into(),
                traf_name: "空运".into(),
                voyage_no: "CZ3101".into(),
                bill_no: bill.into(),
                domestic_traf_no: None,
                gross_weight: Decimal::new(1003, 1),
                logistics_code: logistics.into(),
                logistics_name: "示例国际物流有限公司".into(),
                msg_count: part.1,
                msg_seq_no: part.0,
                note: None,
            },
            way_bill_list: nos
                .iter()
                .enumerate()
                .map(|(n, no)| WayBillList {
                    gnum: n as i32 + 1,
                    total_package_no: Some("1".into()),
                    logistics_no: no.clone(),
                    invt_no: None,
                    note: None,
                })
                .collect(),
        }],
        base_transfer: BaseTransfer {
            cop_code: agent.into(),
            cop_name: "示例报关代理有限公司".into(),
            dxp_mode: "DXP".into(),
            dxp_id: "DXPENT0000000003".into(),
            note: None,
        },
        base_subscribe: Vec::new(),
        signature: None,
        extend_message: None,
    }))
}

/// A CEB605 cancellation of the list `invt_no` (whose head is `head`),
/// naming `agent` as its agent and sent by the list's agent.
pub fn export_cancel(guid: &str, head: &InventoryHead, invt_no: &str, agent: &str) -> Message {
    use cbec_ceb::export::{CEB605Message, InvtCancel};
    Message::CEB605Message(Box::new(CEB605Message {
        guid: guid.into(),
        version: "1.0".into(),
        invt_cancel: vec![InvtCancel {
            guid: guid.into(),
            app_type: "1".into(),
            app_time: "20261127110000".into(),
            app_status: "2".into(),
            customs_code: head.customs_code.clone(),
            cop_no: head.cop_no.clone(),
            pre_no: None,
            invt_no: invt_no.into(),
            reason: "买家取消订单".into(),
            agent_code: agent.into(),
            agent_name: head.agent_name.clone(),
            ebc_code: head.ebc_code.clone(),
            ebc_name: head.ebc_name.clone(),
            note: None,
        }],
        base_transfer: base_transfer(&head.agent_code, &head.agent_name, "DXPENT0000000001"),
        base_subscribe: Vec::new(),
        signature: None,
        extend_message: None,
    }))
}

/// A CEB213 return of `qty` of the list item `item` of list `invt_no`
/// (head `head`), coming back from `country` under trade mode `mode`, sent
/// by the list's agent.
pub fn export_refund(
    guid: &str,
    head: &InventoryHead,
    item: &InventoryList,
    invt_no: &str,
    country: &str,
    mode: &str,
    qty: Decimal,
) -> Message {
    use cbec_ceb::export::{CEB213Message, InvtRefund, InvtRefundHead, InvtRefundList};
    Message::CEB213Message(Box::new(CEB213Message {
        guid: guid.into(),
        version: "1.0".into(),
        invt_refund: vec![InvtRefund {
            invt_refund_head: InvtRefundHead {
                guid: guid.into(),
                app_type: "1".into(),
                app_time: "20261203100000".into(),
                app_status: "2".into(),
                customs_code: head.customs_code.clone(),
                loct_no: None,
                ebp_code: head.ebp_code.clone(),
                ebp_name: head.ebp_name.clone(),
                ebc_code: head.ebc_code.clone(),
                ebc_name: head.ebc_name.clone(),
                logistics_no: format!("RET{}", &guid[..8]),
                logistics_code: head.logistics_code.clone(),
                logistics_name: head.logistics_name.clone(),
                co_el_no: format!("RC{}", &guid[..8]),
                pre_no: None,
                invt_no: invt_no.into(),
                trade_mode: Some(mode.into()),
                agent_code: head.agent_code.clone(),
                agent_name: head.agent_name.clone(),
                bill_no: "784-00000001".into(),
                ie_flag: "I".into(),
                traf_mode: "5".into(),
                traf_name: "CZ3102".into(),
                port_code: head.port_code.clone(),
                reason: "买家退货".into(),
                country: country.into(),
                voyage_no: "20261203".into(),
                note: None,
            },
            invt_refund_list: vec![InvtRefundList {
                gnum: item.gnum,
                gcode: item.gcode.clone(),
                gname: item.gname.clone(),
                gmodel: item.gmodel.clone(),
                qty,
                qty1: qty,
                unit: item.unit.clone(),
                unit1: item.unit1.clone(),
                qty2: None,
                unit2: None,
                note: None,
            }],
        }],
        base_transfer: base_transfer(&head.agent_code, &head.agent_name, "DXPENT0000000001"),
        base_subscribe: Vec::new(),
        signature: None,
        extend_message: None,
    }))
}

/// A CEB215 tally of the return whose guid was `refund_guid` (its inbound
/// waybill and `coElNo` follow from it, see the module documentation), by
/// the supervised-site `operator`; `co_el_no` overrides the return's number.
pub fn return_tally(
    guid: &str,
    operator: &str,
    head: &InventoryHead,
    invt_no: &str,
    refund_guid: &str,
    co_el_no: Option<&str>,
) -> Message {
    use cbec_ceb::export::{CEB215Message, InvtRefundDetail};
    Message::CEB215Message(Box::new(CEB215Message {
        guid: guid.into(),
        version: "1.0".into(),
        invt_refund_detail: vec![InvtRefundDetail {
            guid: guid.into(),
            app_type: "1".into(),
            app_time: "20261205100000".into(),
            app_status: "2".into(),
            customs_code: head.customs_code.clone(),
            operator_code: operator.into(),
            operator_name: "示例监管场所经营有限公司".into(),
            logistics_code: head.logistics_code.clone(),
            logistics_name: head.logistics_name.clone(),
            logistics_no: format!("RET{}", &refund_guid[..8]),
            invt_no: Some(invt_no.into()),
            co_el_no: co_el_no.map_or_else(|| format!("RC{}", &refund_guid[..8]), str::to_string),
            pre_no: None,
            bill_no: "784-00000001".into(),
            ie_flag: "I".into(),
            traf_mode: "5".into(),
            traf_name: "CZ3102".into(),
            voyage_no: "20261203".into(),
            location: Some(head.customs_code.clone()),
            note: None,
        }],
        base_transfer: base_transfer(operator, "示例监管场所经营有限公司", "DXPENT0000000002"),
        base_subscribe: Vec::new(),
        signature: None,
        extend_message: None,
    }))
}
