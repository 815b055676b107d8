//! The enterprise portal (`/portal/…`): what a signed-in enterprise sees of
//! itself.
//!
//! - `/portal`: its filing record (the version in force), credit rating,
//!   licences, certificates and overseas warehouses;
//! - `/portal/applications`: its applications; forms to apply for an
//!   information change and an overseas warehouse filing;
//! - `/portal/messages`: the receipts it received, newest first, each
//!   rejection broken down into code, field and a fix hint;
//!   `/portal/messages/{id}`: a message it sent, as received, and the
//!   receipt answered;
//! - `/portal/lists`: the status of its lists (or other documents), newest
//!   first; `/portal/documents/{id}`: one document with its status history
//!   and receipts;
//! - `/portal/orders`: risk reduction and rectification orders addressed to
//!   it, with a response form;
//! - `/portal/tokens`: its API tokens (create: the secret is shown once;
//!   revoke, after a confirmation);
//! - `/portal/webhook`: where its receipts are pushed (set: the secret is
//!   shown once; remove, after a confirmation).
//!
//! Every action calls the handler of the JSON API route that does the same
//! (`crate::api::…`) with the enterprise as the caller, so the rules, the
//! validation and the audit entries are exactly the API's. An enterprise
//! only ever sees its own records: another enterprise's document, message
//! or application answers 404 or 403 as the API does. Officers signed in
//! are refused (403): their pages are the workbench's. Every form carries
//! the session's CSRF token; a form without it is refused with 403.
//!
//! Lists are read newest first in keyset pages (`?before=`) through
//! [`Store::recent_receipts_for`](cbec_store::Store::recent_receipts_for)
//! and [`Store::recent_documents_for`](cbec_store::Store::recent_documents_for),
//! one index range per enterprise code, so a page costs the same on a
//! database of millions of lists.

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cbec_model::diag::{Code, Diagnostic};
use cbec_model::filing::{ApplicationKind, EnterpriseType, Trade, WarehouseNature};
use cbec_monitoring::{OrderKind, OrderView, RectificationOrder, ReductionOrder};
use cbec_store::{ApiToken, Application, ApplicationFilter, Enterprise, Page, ReceiptRow, StoreError};
use serde::Serialize;
use serde_json::{Value, json};

use super::html::Table;
use super::{
    Lang, Layout, current_session, escape, failure, forbidden, language, over_tls, page, page_with, same_token,
};
use crate::AppState;
use crate::api::{applications, clearance, monitoring, officers};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{Json, OptionalJson, Path};

/// Rows per page of the receipt and document lists.
const PAGE_ROWS: u32 = 50;
/// The most of a message's bytes a page shows.
const MAX_XML_SHOWN: usize = 64 * 1024;

// ---- texts ---------------------------------------------------------------------------

/// The portal's own strings: (key, Chinese, English). Those it shares
/// with the workbench are in `web::TEXTS`.
const TEXTS: &[super::texts::Text] = &[
    ("portal", "企业门户", "Enterprise portal"),
    ("overview", "备案概况", "Filing record"),
    ("messages", "报文与回执", "Messages and receipts"),
    ("lists", "清单状态", "Lists"),
    ("orders", "整改与处置通知", "Orders to respond to"),
    ("tokens", "API 令牌", "API tokens"),
    ("webhook", "回执推送（Webhook）", "Receipt push (webhook)"),
    ("portal_nav", "企业门户导航", "Portal sections"),
    (
        "officers_only_workbench",
        "企业门户仅供企业账户使用；关员请使用工作台。",
        "The enterprise portal is for enterprise accounts; officers use the workbench.",
    ),
    ("to_home", "返回首页", "Back to the home page"),
    ("value", "值", "Value"),
    ("customs_code", "海关编码 customsCode", "Customs code (customsCode)"),
    ("uscc", "统一社会信用代码 USCC", "Unified social credit code (USCC)"),
    ("name", "企业名称 name", "Name (name)"),
    ("name_en", "英文名称 nameEn", "English name (nameEn)"),
    ("address", "地址 address", "Address (address)"),
    ("contact", "联系人 contact", "Contact (contact)"),
    ("telephone", "联系电话 telephone", "Telephone (telephone)"),
    ("customs_district", "备案关区 customsDistrict", "Customs district (customsDistrict)"),
    ("dxp_id", "传输节点 dxpId", "DXP node (dxpId)"),
    ("types", "企业类型", "Enterprise types"),
    ("trade", "进出口方向", "Trade direction"),
    ("b2b_export", "跨境电商B2B直接出口（9710）", "B2B direct export (9710)"),
    ("version", "备案版本", "Record version"),
    ("filed_at", "备案时间", "Filed"),
    ("updated_at", "最近变更", "Last changed"),
    ("licence_kind", "种类", "Kind"),
    ("number", "编号", "Number"),
    ("issuer", "发证机关", "Issuer"),
    ("valid", "有效期", "Valid"),
    ("certificates", "签名证书", "Signing certificates"),
    ("serial", "序列号", "Serial"),
    ("subject", "主题", "Subject"),
    ("bound_at", "绑定时间", "Bound"),
    ("revoked", "已吊销", "Revoked"),
    ("in_force", "有效", "In force"),
    ("reason", "原因", "Reason"),
    ("none", "无", "None"),
    ("yes", "是", "Yes"),
    ("no", "否", "No"),
    ("kind", "类型", "Kind"),
    ("submitted_at", "提交时间", "Submitted"),
    ("decided_at", "处理时间", "Decided"),
    ("details", "详情", "Details"),
    ("new_change", "申请信息变更", "Apply for an information change"),
    ("new_warehouse", "申请出口海外仓业务模式备案", "Apply for an overseas warehouse filing"),
    (
        "change_intro",
        "修改需要变更的备案信息后提交，海关审核通过后生效。海关编码和统一社会信用代码不能变更。",
        "Change what needs changing and submit; the change takes effect when customs approves it. The customs code and the USCC cannot change.",
    ),
    (
        "warehouse_intro",
        "出口海外仓（9810）业务需先备案海外仓，且企业信用须为一般信用及以上。",
        "Exporting through an overseas warehouse (9810) needs the warehouse filed first and a credit rating of general or better.",
    ),
    ("wh_name", "仓库名称 name", "Warehouse name (name)"),
    ("wh_country", "所在国家（地区）代码 country（3 位）", "Country code (country, 3 digits)"),
    ("wh_address", "仓库地址 address", "Warehouse address (address)"),
    ("wh_area", "面积（平方米） areaM2", "Area in m² (areaM2)"),
    ("wh_nature", "仓库性质 nature", "Nature (nature)"),
    ("wh_document", "租赁或产权文件编号 document", "Lease or title document (document)"),
    ("wh_operator", "经营人 operator", "Operator (operator)"),
    ("submit", "提交申请", "Submit the application"),
    ("submitted", "申请已提交，等待海关审核。", "The application is submitted and waits for customs."),
    (
        "refused",
        "申请未通过备案规则校验，请按下列提示修改：",
        "The filing rules refuse the application; fix what follows:",
    ),
    ("error_title", "无法完成", "Cannot be done"),
    ("payload", "申请内容", "What was applied for"),
    ("issued_at", "签发时间", "Issued"),
    ("business_key", "业务编号", "Business number"),
    ("return_status", "回执状态 returnStatus", "Receipt status (returnStatus)"),
    ("return_info", "回执说明 returnInfo", "Receipt text (returnInfo)"),
    ("rejection", "退单原因", "Why it was refused"),
    ("code", "错误代码", "Code"),
    ("problem", "问题", "Problem"),
    ("hint", "修改建议", "How to fix it"),
    ("older", "更早的记录 →", "Older →"),
    ("newest", "← 最新", "← Newest"),
    ("no_receipts", "还没有回执。", "No receipts yet."),
    ("no_documents", "没有单证。", "No documents."),
    ("kind_filter", "单证类型", "Document kind"),
    ("show", "显示", "Show"),
    ("all_kinds", "全部", "All"),
    ("receipts", "回执", "Receipts"),
    ("at", "时间", "When"),
    ("from_to", "状态变化", "Change"),
    ("facts", "单证内容", "Document content"),
    ("message", "报文", "Message"),
    ("received_at", "接收时间", "Received"),
    ("guid", "报文编号 guid", "Message id (guid)"),
    ("sha256", "SHA-256", "SHA-256"),
    ("raw_xml", "原始报文", "The message as received"),
    ("answer", "回执报文", "The receipt answered"),
    ("truncated", "（已截断）", "(truncated)"),
    ("order_kind_reduction", "风险消减通知", "Risk reduction order"),
    ("order_kind_rectification", "整改通知", "Rectification order"),
    ("subject_of", "事项", "Subject"),
    ("response", "企业答复", "Response"),
    ("response_text", "答复内容", "Response"),
    ("evidence", "证明材料（每行一项：单证编号、文件名等）", "Evidence (one per line: document ids, file names, …)"),
    ("respond", "提交答复", "Send the response"),
    ("responded", "答复已提交。", "The response is sent."),
    ("rejected_because", "答复被退回，原因：", "The response was turned down: "),
    ("no_orders", "没有发给本企业的通知。", "No orders are addressed to this enterprise."),
    ("violations", "已认定的违规记录", "Upheld violations on record"),
    ("order_status_issued", "待答复", "Awaiting response"),
    ("order_status_overdue", "已逾期", "Overdue"),
    ("order_status_responded", "已答复，待海关处理", "Responded, with customs"),
    ("order_status_closed", "已结束", "Closed"),
    ("order_status_withdrawn", "已撤回", "Withdrawn"),
    ("token_label", "名称", "Label"),
    ("created_at", "创建时间", "Created"),
    ("revoke", "吊销", "Revoke"),
    ("create_token", "创建令牌", "Create a token"),
    (
        "token_created",
        "新令牌如下。它只显示这一次，请立即保存；遗失后只能吊销并新建。",
        "The new token is below. It is shown this once: store it now; if lost, revoke it and create another.",
    ),
    (
        "confirm_revoke",
        "确定吊销此令牌？使用它的系统将立即无法调用接口。",
        "Revoke this token? Systems using it lose access at once.",
    ),
    ("confirm", "确认", "Confirm"),
    ("cancel", "取消", "Cancel"),
    ("token_revoked", "令牌已吊销。", "The token is revoked."),
    ("no_tokens", "还没有 API 令牌。", "No API tokens yet."),
    ("webhook_url", "推送地址 URL（http://…）", "Push URL (http://…)"),
    (
        "webhook_secret",
        "签名密钥（至少 16 个字符；留空则自动生成）",
        "Signing secret (16 characters or more; left empty, one is generated)",
    ),
    ("webhook_set", "保存推送地址", "Save the push URL"),
    (
        "webhook_saved",
        "推送地址已保存。签名密钥如下，只显示这一次：",
        "The push URL is saved. The signing secret is below, shown this once:",
    ),
    (
        "webhook_none",
        "尚未设置推送地址；回执可通过接口拉取。",
        "No push URL is set; receipts can be pulled through the API.",
    ),
    ("webhook_current", "当前推送地址", "Current push URL"),
    ("webhook_remove", "删除推送地址", "Remove the push URL"),
    (
        "confirm_remove_webhook",
        "确定删除推送地址？之后的回执将不再推送（仍可拉取）。",
        "Remove the push URL? Later receipts are no longer pushed (they can still be pulled).",
    ),
    ("webhook_removed", "推送地址已删除。", "The push URL is removed."),
    (
        "webhook_intro",
        "每张回执以 JSON POST 推送，带 HMAC 签名头 X-Cbec-Signature，失败按退避重试。",
        "Each receipt is pushed as a JSON POST with an HMAC signature header (X-Cbec-Signature), retried with back-off.",
    ),
    ("not_found", "未找到，或不属于本企业。", "Not found, or not this enterprise's."),
    ("fields_refused", "以下字段有误：", "These fields are wrong:"),
];

/// A text of the portal: its own, else one it shares with the workbench.
fn tr(lang: Lang, key: &str) -> &'static str {
    super::texts::lookup(&[TEXTS, super::TEXTS], lang, key)
}

/// A name of the spec's code tables in the page's language: the Chinese
/// name, or the code in words.
fn named(lang: Lang, code: &str, zh: &str) -> String {
    match lang {
        Lang::Zh => format!("{zh}（{code}）"),
        Lang::En => code.replace('_', " "),
    }
}

/// The status of a clearance document, by its name.
const DOC_STATUSES: &[(&str, &str, &str)] = &[
    ("declaring", "待匹配（2）", "Waiting for its documents (2)"),
    ("rejected", "退单（100）", "Rejected (100)"),
    ("accepted", "入库（120）", "Accepted (120)"),
    ("manual_review", "人工审核（300）", "Manual review (300)"),
    ("concluded", "审结（399）", "Concluded (399)"),
    ("inspection", "查验（500）", "Inspection (500)"),
    ("detained_clearance", "扣留移交通关（501）", "Detained, with clearance (501)"),
    ("detained_anti_smuggling", "扣留移交缉私（502）", "Detained, with anti-smuggling (502)"),
    ("detained_legal", "扣留移交法规（503）", "Detained, with the legal department (503)"),
    ("detained_other", "其他扣留（599）", "Detained, other (599)"),
    ("transferred", "已转移（505）", "Transferred (505)"),
    ("suspended", "挂起（600）", "Suspended (600)"),
    ("returned", "退运（700）", "Returned (700)"),
    ("released", "放行（800）", "Released (800)"),
    ("closed", "结关（899）", "Closed (899)"),
    ("cancelled", "已撤销", "Cancelled"),
];

fn doc_status(lang: Lang, name: &str) -> String {
    DOC_STATUSES.iter().find(|(n, _, _)| *n == name).map_or_else(
        || name.to_owned(),
        |(_, zh, en)| if lang == Lang::Zh { (*zh).to_owned() } else { (*en).to_owned() },
    )
}

/// What a receipt's status means: a tax bill's (CEB816/818 `status`: 1
/// generated, 2 summarised, 3 void), or any other receipt's `returnStatus`.
fn receipt_status(lang: Lang, message_type: &str, status: &str) -> String {
    if matches!(message_type, "CEB816Message" | "CEB818Message") {
        let tax: &[(&str, &str, &str)] = &[
            ("1", "税单已生成", "Tax bill generated"),
            ("2", "税单已汇总", "Tax bill summarised"),
            ("3", "税单作废", "Tax bill void"),
        ];
        if let Some((_, zh, en)) = tax.iter().find(|(s, _, _)| *s == status) {
            return format!("{status} {}", if lang == Lang::Zh { zh } else { en });
        }
    }
    return_status(lang, status)
}

/// What a receipt's `returnStatus` means.
fn return_status(lang: Lang, status: &str) -> String {
    let known: &[(&str, &str, &str)] = &[
        ("-1", "报文无法读取", "The message could not be read"),
        ("-2", "报文不符合海关总署 XSD", "The message fails the official XSD"),
        ("-3", "本系统不受理此类报文", "This service does not take this message type"),
        ("2", "已申报，待匹配", "Declared, waiting for its documents"),
        ("100", "退单", "Rejected"),
        ("120", "入库", "Accepted"),
        ("300", "人工审核", "Manual review"),
        ("399", "审结", "Concluded"),
        ("500", "查验", "Inspection"),
        ("501", "扣留移交通关", "Detained, with clearance"),
        ("502", "扣留移交缉私", "Detained, with anti-smuggling"),
        ("503", "扣留移交法规", "Detained, with the legal department"),
        ("599", "其他扣留", "Detained, other"),
        ("700", "退运", "Returned"),
        ("800", "放行", "Released"),
        ("899", "结关", "Closed"),
    ];
    match known.iter().find(|(s, _, _)| *s == status) {
        Some((_, zh, en)) => format!("{status} {}", if lang == Lang::Zh { zh } else { en }),
        None if status.starts_with('-') => match lang {
            Lang::Zh => format!("{status} 退单（业务校验未通过）"),
            Lang::En => format!("{status} refused (a business check failed)"),
        },
        None => status.to_owned(),
    }
}

/// Whether a receipt refuses its message or document.
fn is_rejection(status: &str) -> bool {
    status.starts_with('-') || status == "100"
}

// ---- rejections: code, field, hint -----------------------------------------------------

/// How to fix a problem, by diagnostic code (exact) or code group (`xml.`),
/// in Chinese and English. The first entry whose key is the code, else the
/// code's group, applies.
const HINTS: &[(&str, &str, &str)] = &[
    (
        "arith.total_price",
        "将 totalPrice 改为 qty × price 的结果，或更正数量、单价。",
        "Set totalPrice to qty × price, or correct the quantity or the unit price.",
    ),
    (
        "arith.actural_paid",
        "使 acturalPaid = goodsValue + freight + taxTotal − discount，更正其中有误的一项。",
        "Make acturalPaid = goodsValue + freight + taxTotal − discount by correcting the wrong one.",
    ),
    (
        "arith.goods_value",
        "表头货值应等于各表体 totalPrice 之和。",
        "Make the head's goods value the sum of the items' totalPrice.",
    ),
    (
        "arith.gnum_sequence",
        "商品序号 gnum 从 1 开始连续编号，不得跳号或重复。",
        "Number the items (gnum) 1, 2, 3, … without gaps or repeats.",
    ),
    ("arith.", "按规范的计算关系更正该数值。", "Correct the amount so the spec's arithmetic holds."),
    (
        "consistency.mismatch",
        "使两个必须一致的字段取相同的值（说明中给出另一字段）。",
        "Give both fields the same value (the message names the other one).",
    ),
    ("consistency.required_for_mode", "该业务模式下此字段必填，请补充。", "This mode needs the field: fill it in."),
    (
        "consistency.not_allowed_for_mode",
        "该业务模式不使用此字段，请删除。",
        "This mode does not use the field: leave it out.",
    ),
    (
        "placeholder.value",
        "填写真实的业务数据，不要使用官方样例中的占位值。",
        "Put the real business data in, not the placeholder of the official samples.",
    ),
    (
        "format.id_number",
        "填写有效的 18 位居民身份证号码（最后一位为校验码）。",
        "Give a valid 18-character resident ID number (the last character is a check digit).",
    ),
    (
        "format.enterprise_code",
        "填写 10 位海关编码或有效的 18 位统一社会信用代码。",
        "Give the 10-character customs code or a valid 18-character USCC.",
    ),
    (
        "format.guid",
        "guid 使用 36 位 UUID（8-4-4-4-12，大写十六进制）。",
        "Use a 36-character UUID for guid (8-4-4-4-12, upper-case hexadecimal).",
    ),
    (
        "format.",
        "按规范规定的格式填写该字段（见问题说明）。",
        "Write the field in the format the spec gives (see the problem).",
    ),
    (
        "code.",
        "从该字段的代码表中选用本报文、本模式允许的代码。",
        "Use a code of the field's code table that this message and mode allow.",
    ),
    (
        "schema.missing_element",
        "补充该必填字段，并按 2022 版 XSD 的顺序排列。",
        "Add the required element, in the order of the 2022 XSD.",
    ),
    (
        "schema.unexpected_element",
        "删除该字段，或按 XSD 规定的顺序和次数排列。",
        "Remove the element, or put it where and as often as the XSD allows.",
    ),
    (
        "schema.",
        "按海关总署 2022 版 XSD 规定的类型、长度和位数填写该值。",
        "Write the value with the type, length and digits the official 2022 XSD gives.",
    ),
    (
        "xml.",
        "发送格式正确的 UTF-8 XML：标签完整闭合，不含 DTD 或实体声明，大小和层级在限制内。",
        "Send well-formed UTF-8 XML: every tag closed, no DTD or entity declaration, within the size and depth limits.",
    ),
    ("limit.", "拆分报文，减少单个报文中的记录数或表体数。", "Split the message: fewer records or items per message."),
    (
        "signature.certificate_expired",
        "证书已过期：申请新证书，提交证书绑定申请，获批后用新证书签名。",
        "The certificate has expired: get a new one, apply to bind it and sign with it once approved.",
    ),
    (
        "signature.pin_mismatch",
        "使用已绑定到本企业的证书签名，或先提交证书绑定申请。",
        "Sign with a certificate bound to this enterprise, or apply to bind the one you use.",
    ),
    (
        "signature.digest_mismatch",
        "报文在签名后被修改：在最终内容上重新签名，签名后不要再改动。",
        "The message changed after signing: sign the final text again and change nothing afterwards.",
    ),
    (
        "signature.",
        "用已在海关绑定的证书对整份报文重新签名（SM2/SM3 或 RSA）。",
        "Sign the whole message again with the certificate bound at customs (SM2/SM3 or RSA).",
    ),
    (
        "filing.",
        "按问题说明更正申请内容后重新提交。",
        "Correct the application as the problem says and submit it again.",
    ),
    (
        "goods.not_on_positive_list",
        "该商品不在跨境电商零售进口商品清单内，不能按 9610/1210 申报。",
        "The goods are not on the retail import positive list: they cannot be declared under 9610 or 1210.",
    ),
    (
        "goods.",
        "核对商品编码、名称和原产国是否与现行参考数据一致。",
        "Check the HS code, the goods name and the origin against the reference data in force.",
    ),
    ("json.", "按接口说明的 JSON 结构提交。", "Send JSON of the documented shape."),
    (
        "mismatch",
        "使订单、支付单、运单和清单中该字段一致（期望值来自说明中列出的单证）。",
        "Make the field agree across order, payment, waybill and list (the expected value comes from the document named).",
    ),
];

fn hint(lang: Lang, code: &str) -> &'static str {
    let found = HINTS.iter().find(|(k, _, _)| *k == code).or_else(|| {
        let group = code.split_once('.').map(|(g, _)| g);
        HINTS.iter().find(|(k, _, _)| k.strip_suffix('.').is_some_and(|g| Some(g) == group))
    });
    match found {
        Some((_, zh, en)) => {
            if lang == Lang::Zh {
                zh
            } else {
                en
            }
        }
        None => match lang {
            Lang::Zh => "按问题说明更正该字段后重新发送报文。",
            Lang::En => "Correct the field as the problem says and send the message again.",
        },
    }
}

/// One problem named in a receipt's `returnInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    /// A registered diagnostic code, or `mismatch` for a three-order
    /// mismatch.
    code: String,
    /// The field: a path (`Order[1]/OrderList[1]/totalPrice`) or
    /// `document.field`.
    path: String,
    value: Option<String>,
    message: String,
}

/// The problems a `returnInfo` names, in the forms the pipeline writes them:
/// `code at path: message` (message rules, XSD), `[code] path "value":
/// message` (goods control), `code (line n): message` (unreadable XML) and
/// `three-order mismatch (n): field: expected …` (matching). Texts without
/// a registered code give no finding.
fn findings(info: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let (body, mismatch) = match info.strip_prefix("three-order mismatch (").and_then(|rest| rest.split_once("): ")) {
        Some((_, rest)) => (rest, true),
        None => (info, false),
    };
    for part in body.split("; ").map(str::trim).filter(|p| !p.is_empty()) {
        if mismatch {
            if let Some((field, message)) = part.split_once(": ") {
                out.push(Finding {
                    code: "mismatch".into(),
                    path: field.to_owned(),
                    value: None,
                    message: message.to_owned(),
                });
            }
            continue;
        }
        // Goods control: `[code] path "value": message`, after a prefix.
        if let Some(open) = part.find('[')
            && let Some(close) = part[open..].find(']').map(|c| open + c)
            && Code::parse(&part[open + 1..close]).is_some()
        {
            let code = &part[open + 1..close];
            let rest = part[close + 1..].trim_start();
            let (head, message) = rest.split_once(": ").unwrap_or((rest, ""));
            let (path, value) = match head.split_once(' ') {
                Some((p, v)) => (p, Some(v.trim().trim_matches('"').to_owned())),
                None => (head, None),
            };
            out.push(Finding { code: code.into(), path: path.into(), value, message: message.into() });
            continue;
        }
        let token_end = part.find([' ', ':']).unwrap_or(part.len());
        let token = &part[..token_end];
        if Code::parse(token).is_none() {
            continue;
        }
        let rest = &part[token_end..];
        let (path, message) = if let Some(after) = rest.strip_prefix(" at ") {
            after.split_once(": ").unwrap_or((after, ""))
        } else if let Some(after) = rest.strip_prefix(" (line ") {
            ("", after.split_once("): ").map_or(after, |(_, m)| m))
        } else {
            ("", rest.trim_start_matches(':').trim())
        };
        out.push(Finding { code: token.into(), path: path.into(), value: None, message: message.into() });
    }
    out
}

/// The element a path ends with (`Order[1]/OrderList[2]/totalPrice` →
/// `totalPrice`, `payment.amountPaid` → `amountPaid`).
fn field_name(path: &str) -> &str {
    let last = path.rsplit('/').next().unwrap_or(path);
    let last = last.split('[').next().unwrap_or(last).trim_start_matches('@');
    last.rsplit('.').next().unwrap_or(last)
}

/// The Chinese name of a field as the problem's text gives it
/// (`totalPrice (总价) is …`), if it does.
fn chinese_name<'a>(message: &'a str, field: &str) -> Option<&'a str> {
    if field.is_empty() {
        return None;
    }
    let at = message.find(&format!("{field} ("))? + field.len() + 2;
    let name = &message[at..at + message[at..].find(')')?];
    name.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)).then_some(name)
}

/// The field cell: the path and the field's name in both languages.
fn field_cell(path: &str, message: &str) -> String {
    if path.is_empty() {
        return "—".into();
    }
    let field = field_name(path);
    let names = match chinese_name(message, field) {
        Some(zh) => format!("{} {}", escape(zh), escape(field)),
        None => escape(field),
    };
    format!("<span class=\"field-name\">{names}</span><br><code>{}</code>", escape(path))
}

fn finding_row(lang: Lang, code: &str, path: &str, value: Option<&str>, message: &str) -> String {
    let value = value.map(|v| format!(" <span class=\"value\">[{}]</span>", escape(v))).unwrap_or_default();
    let title = Code::parse(code).map(|c| format!("<br><small>{}</small>", escape(c.title()))).unwrap_or_default();
    format!(
        "<tr class=\"finding\" data-code=\"{c}\"><td class=\"code\"><code>{c}</code>{title}</td>\
         <td class=\"field\">{field}</td><td class=\"problem\">{m}{value}</td><td class=\"hint\">{h}</td></tr>\n",
        c = escape(code),
        field = field_cell(path, message),
        m = escape(message),
        h = hint(lang, code),
    )
}

fn findings_table(lang: Lang, rows: &str) -> String {
    format!(
        "<table class=\"findings\">\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n",
        tr(lang, "code"),
        tr(lang, "field"),
        tr(lang, "problem"),
        tr(lang, "hint"),
    )
}

/// A receipt's rejection: each finding as code, field and hint, or the text
/// as it is when it names no code.
fn rejection(lang: Lang, info: &str) -> String {
    let found = findings(info);
    if found.is_empty() {
        return format!("<p class=\"rejection-text\">{}</p>\n", escape(info));
    }
    let rows: String =
        found.iter().map(|f| finding_row(lang, &f.code, &f.path, f.value.as_deref(), &f.message)).collect();
    findings_table(lang, &rows)
}

fn diagnostics_table(lang: Lang, diagnostics: &[Diagnostic]) -> String {
    let rows: String = diagnostics
        .iter()
        .map(|d| finding_row(lang, d.code.as_str(), &d.path, d.value.as_deref(), &d.message))
        .collect();
    findings_table(lang, &rows)
}

// ---- times -------------------------------------------------------------------------------

/// A time in China Standard Time (UTC+8), as officers and traders read it.
fn when(ms: cbec_store::Millis) -> String {
    let local = ms.0.saturating_add(8 * 3_600_000);
    let (days, ms_of_day) = (local.div_euclid(86_400_000), local.rem_euclid(86_400_000));
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let secs = ms_of_day / 1000;
    format!(
        "<time datetime=\"{}\">{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}</time>",
        ms.to_rfc3339(),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

// ---- the signed-in enterprise --------------------------------------------------------------

/// A request of the signed-in enterprise.
struct Ctx {
    lang: Lang,
    /// The language cookie to set, when `?lang=` chose one.
    cookies: Vec<String>,
    csrf: String,
    enterprise: Enterprise,
    /// Its customs code and USCC: what documents and receipts name.
    codes: Vec<String>,
}

impl Ctx {
    fn caller(&self) -> Caller {
        Caller::Enterprise(self.enterprise.id.clone())
    }

    fn csrf_field(&self) -> String {
        format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">\n", escape(&self.csrf))
    }

    fn t(&self, key: &str) -> &'static str {
        tr(self.lang, key)
    }
}

/// The signed-in enterprise of a request, or the answer to give instead:
/// the sign-in page for a visitor without a session, 403 for an officer.
async fn enter(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    query: &HashMap<String, String>,
) -> Result<Ctx, Response> {
    enter_checked(state, headers, uri, query, None).await
}

/// [`enter`] for a form: the session's CSRF token must be in the form, else
/// 403 (a visitor without a session gets 403 too: a form needs one).
async fn enter_form(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    form: &[(String, String)],
) -> Result<Ctx, Response> {
    let given = form.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or_default();
    enter_checked(state, headers, uri, &HashMap::new(), Some(given)).await
}

async fn enter_checked(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    query: &HashMap<String, String>,
    csrf: Option<&str>,
) -> Result<Ctx, Response> {
    let secure = over_tls(headers, uri);
    let (lang, lang_cookie) = language(headers, query, secure);
    let cookies: Vec<String> = lang_cookie.into_iter().collect();
    let session = match current_session(state, headers).await {
        Ok(Some(s)) => s,
        Ok(None) if csrf.is_some() => return Err(forbidden(lang)),
        Ok(None) => return Err(redirect("/login")),
        Err(e) => return Err(failure(lang, &e)),
    };
    if let Some(given) = csrf
        && !same_token(&session.csrf, given)
    {
        return Err(forbidden(lang));
    }
    let cbec_store::Principal::Enterprise(id) = &session.principal else {
        let body = format!(
            "<p class=\"error\" role=\"alert\">{}</p>\n<p><a href=\"/\">{}</a></p>\n",
            tr(lang, "officers_only_workbench"),
            tr(lang, "to_home")
        );
        return Err(page(StatusCode::FORBIDDEN, lang, tr(lang, "portal"), &body, &cookies));
    };
    let enterprise = match state.store.enterprise(id).await {
        Ok(e) => e,
        Err(StoreError::NotFound { .. }) => return Err(redirect("/login")),
        Err(e) => return Err(failure(lang, &e)),
    };
    let codes =
        [enterprise.record.customs_code.clone(), enterprise.record.uscc.clone()].into_iter().flatten().collect();
    Ok(Ctx { lang, cookies, csrf: session.csrf, enterprise, codes })
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn redirect(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(to) {
        h.insert(header::LOCATION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A portal page: the section links in the header, the enterprise and its
/// sign-out button beside the language switch, then the body.
fn render(ctx: &Ctx, status: StatusCode, section: &str, title: &str, body: &str) -> Response {
    let sections = [
        ("overview", "/portal"),
        ("applications", "/portal/applications"),
        ("messages", "/portal/messages"),
        ("lists", "/portal/lists"),
        ("orders", "/portal/orders"),
        ("tokens", "/portal/tokens"),
        ("webhook", "/portal/webhook"),
    ];
    let mut nav = format!("<nav class=\"main portal-nav\" aria-label=\"{}\"><ul>", ctx.t("portal_nav"));
    for (key, href) in sections {
        let current = if key == section { " aria-current=\"page\"" } else { "" };
        let _ = write!(nav, "<li><a href=\"{href}\"{current}>{}</a></li>", ctx.t(key));
    }
    nav.push_str("</ul></nav>");
    let account = format!(
        "<div class=\"account\"><span>{name} · <code>{codes}</code></span>\
         <form method=\"post\" action=\"/logout\" class=\"inline\">{csrf}\
         <button type=\"submit\" id=\"sign-out\" class=\"link\">{sign_out}</button></form></div>",
        name = escape(&ctx.enterprise.record.name),
        codes = escape(&ctx.codes.join(" / ")),
        csrf = ctx.csrf_field(),
        sign_out = ctx.t("sign_out"),
    );
    let layout = Layout { nav, wide: true, account };
    page_with(status, ctx.lang, title, &layout, body, &ctx.cookies)
}

/// An API refusal as a page: its status and message; the filing rules'
/// diagnostics and the monitoring problems with their fields.
fn refusal(ctx: &Ctx, section: &str, e: &ApiError) -> Response {
    if matches!(e, ApiError::Internal(_) | ApiError::Unavailable) {
        return failure(ctx.lang, e);
    }
    if e.status() == StatusCode::NOT_FOUND {
        let body = format!("<p class=\"error\" role=\"alert\">{}</p>\n", ctx.t("not_found"));
        return render(ctx, StatusCode::NOT_FOUND, section, ctx.t("error_title"), &body);
    }
    render(ctx, e.status(), section, ctx.t("error_title"), &refusal_body(ctx, e))
}

fn refusal_body(ctx: &Ctx, e: &ApiError) -> String {
    let mut body = match e {
        ApiError::Refused(_) => format!("<p class=\"error\" role=\"alert\">{}</p>\n", ctx.t("refused")),
        other => format!(
            "<p class=\"error\" role=\"alert\"><code>{}</code> {}</p>\n",
            escape(other.code()),
            escape(&other.to_string())
        ),
    };
    match e {
        ApiError::Refused(d) | ApiError::InvalidJson { diagnostics: d, .. } if !d.is_empty() => {
            body.push_str(&diagnostics_table(ctx.lang, d));
        }
        ApiError::Monitoring(m) if !m.problems().is_empty() => {
            let _ = write!(body, "<p>{}</p>\n<ul class=\"problems\">", ctx.t("fields_refused"));
            for p in m.problems() {
                let _ = write!(
                    body,
                    "<li><code>{}</code>: {} — {}</li>",
                    escape(&p.field),
                    escape(&p.problem),
                    escape(&p.fix)
                );
            }
            body.push_str("</ul>\n");
        }
        _ => {}
    }
    body
}

/// The fields of an API answer whose type keeps them private to its module.
fn fields_of<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => escape(s),
        Value::Null => "—".into(),
        other => escape(&other.to_string()),
    }
}

fn millis(v: &Value) -> String {
    v.as_i64().map_or_else(|| "—".into(), |ms| when(cbec_store::Millis(ms)))
}

fn notice(ctx: &Ctx, query: &HashMap<String, String>, pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .find(|(value, _)| query.get("done").map(String::as_str) == Some(*value))
        .map(|(_, key)| format!("<p class=\"notice\" role=\"status\">{}</p>\n", ctx.t(key)))
        .unwrap_or_default()
}

// ---- routes --------------------------------------------------------------------------------

/// The portal's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal", get(overview))
        .route("/portal/applications", get(applications_page))
        .route("/portal/applications/change", get(change_form).post(submit_change))
        .route("/portal/applications/warehouse", get(warehouse_form).post(submit_warehouse))
        .route("/portal/applications/{id}", get(application_page))
        .route("/portal/messages", get(messages_page))
        .route("/portal/messages/{id}", get(message_page))
        .route("/portal/lists", get(lists_page))
        .route("/portal/documents/{id}", get(document_page))
        .route("/portal/orders", get(orders_page))
        .route("/portal/orders/{id}/respond", axum::routing::post(respond))
        .route("/portal/tokens", get(tokens_page).post(create_token))
        .route("/portal/tokens/{id}/revoke", get(confirm_revoke).post(revoke))
        .route("/portal/webhook", get(webhook_page).post(set_webhook))
        .route("/portal/webhook/remove", get(confirm_remove_webhook).post(remove_webhook))
}

type Q = Query<HashMap<String, String>>;
type F = Form<Vec<(String, String)>>;
type Id = axum::extract::Path<String>;

macro_rules! enter {
    ($state:expr, $headers:expr, $uri:expr, $query:expr) => {
        match enter(&$state, &$headers, &$uri, &$query).await {
            Ok(ctx) => ctx,
            Err(response) => return response,
        }
    };
}

macro_rules! enter_form {
    ($state:expr, $headers:expr, $uri:expr, $form:expr) => {
        match enter_form(&$state, &$headers, &$uri, &$form).await {
            Ok(ctx) => ctx,
            Err(response) => return response,
        }
    };
}

// ---- the filing record ---------------------------------------------------------------------

fn types_text(lang: Lang, types: &[EnterpriseType]) -> String {
    types.iter().map(|t| named(lang, t.as_str(), t.name_zh())).collect::<Vec<_>>().join(lang_sep(lang))
}

fn lang_sep(lang: Lang) -> &'static str {
    if lang == Lang::Zh { "、" } else { ", " }
}

async fn overview(State(state): State<AppState>, Query(query): Q, uri: Uri, headers: HeaderMap) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let id = &ctx.enterprise.id;
    let store = &state.store;
    let (licences, certificates, warehouses, credit) = match tokio::try_join!(
        store.licences(id),
        store.certificates(id),
        store.warehouses(id),
        store.credit_history(id)
    ) {
        Ok(all) => all,
        Err(e) => return failure(ctx.lang, &e),
    };
    let (lang, e) = (ctx.lang, &ctx.enterprise);
    let r = &e.record;
    let opt = |v: &Option<String>| v.as_deref().map_or_else(|| "—".to_owned(), escape);
    let rows = [
        ("customs_code", opt(&r.customs_code)),
        ("uscc", opt(&r.uscc)),
        ("name", escape(&r.name)),
        ("name_en", opt(&r.name_en)),
        ("address", escape(&r.address)),
        ("contact", escape(&r.contact)),
        ("telephone", escape(&r.telephone)),
        ("customs_district", escape(&r.customs_district)),
        ("dxp_id", opt(&r.dxp_id)),
        ("types", types_text(lang, &r.types)),
        ("trade", named(lang, r.trade.as_str(), r.trade.name_zh())),
        ("b2b_export", ctx.t(if r.b2b_export { "yes" } else { "no" }).to_owned()),
        ("credit", named(lang, e.credit.as_str(), e.credit.name_zh())),
        ("version", e.version.to_string()),
        ("filed_at", when(e.filed_at)),
        ("updated_at", when(e.updated_at)),
    ];
    let mut record = Table::new("record", "");
    for (key, value) in rows {
        record.keyed(ctx.t(key), &[value]);
    }
    let mut body = record.finish();
    let _ = writeln!(
        body,
        "<p class=\"actions\"><a class=\"button\" href=\"/portal/applications/change\">{}</a> \
         <a class=\"button\" href=\"/portal/applications/warehouse\">{}</a></p>",
        ctx.t("new_change"),
        ctx.t("new_warehouse")
    );

    let none = || format!("<p>{}</p>\n", ctx.t("none"));
    let mut table = Table::new("", "").head(&[ctx.t("licence_kind"), ctx.t("number"), ctx.t("issuer"), ctx.t("valid")]);
    for l in &licences {
        let k = l.licence.kind;
        table.row(&[
            named(lang, k.as_str(), k.name_zh()),
            escape(&l.licence.number),
            escape(&l.licence.issuer),
            format!("{} – {}", escape(&l.licence.valid_from), escape(&l.licence.valid_to)),
        ]);
    }
    let _ = write!(body, "<h2>{}</h2>\n{}", ctx.t("licences"), table.or(none()));

    let mut table = Table::new("", "").head(&[
        ctx.t("serial"),
        ctx.t("subject"),
        ctx.t("valid"),
        ctx.t("bound_at"),
        ctx.t("state"),
    ]);
    for c in &certificates {
        let state = match (&c.revoked_at, &c.revoke_reason) {
            (Some(at), reason) => {
                format!("{} {} {}", ctx.t("revoked"), when(*at), escape(reason.as_deref().unwrap_or_default()))
            }
            (None, _) => ctx.t("in_force").to_owned(),
        };
        table.row(&[
            format!("<code>{}</code>", escape(&c.cert.serial)),
            escape(&c.cert.subject),
            format!("{} – {}", when(c.cert.not_before), when(c.cert.not_after)),
            when(c.bound_at),
            state,
        ]);
    }
    let _ = write!(body, "<h2>{}</h2>\n{}", ctx.t("certificates"), table.or(none()));

    let mut table = Table::new("", "").head(&[
        ctx.t("wh_name"),
        ctx.t("wh_country"),
        ctx.t("wh_address"),
        ctx.t("wh_area"),
        ctx.t("wh_nature"),
    ]);
    for w in &warehouses {
        let n = w.warehouse.nature;
        table.row(&[
            escape(&w.warehouse.name),
            escape(&w.warehouse.country),
            escape(&w.warehouse.address),
            escape(&w.warehouse.area_m2),
            named(lang, n.as_str(), n.name_zh()),
        ]);
    }
    let _ = write!(body, "<h2>{}</h2>\n{}", ctx.t("warehouses"), table.or(none()));

    let mut table = Table::new("", "").head(&[ctx.t("at"), ctx.t("credit"), ctx.t("reason")]);
    for c in &credit {
        table.row(&[when(c.at), named(lang, c.rating.as_str(), c.rating.name_zh()), escape(&c.reason)]);
    }
    let _ = write!(body, "<h2>{}</h2>\n{}", ctx.t("credit_history"), table.or(none()));
    render(&ctx, StatusCode::OK, "overview", ctx.t("overview"), &body)
}

// ---- applications ---------------------------------------------------------------------------

fn kind_text(lang: Lang, kind: ApplicationKind) -> String {
    named(lang, kind.as_str(), kind.name_zh())
}

async fn applications_page(State(state): State<AppState>, Query(query): Q, uri: Uri, headers: HeaderMap) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let offset: u32 = query.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let filter = ApplicationFilter {
        enterprise_id: Some(ctx.enterprise.id.clone()),
        page: Page { offset, limit: PAGE_ROWS },
        ..ApplicationFilter::default()
    };
    let list = match state.store.list_applications(filter).await {
        Ok(l) => l,
        Err(e) => return failure(ctx.lang, &e),
    };
    let mut body = format!(
        "<p class=\"actions\"><a class=\"button\" href=\"/portal/applications/change\">{}</a> \
         <a class=\"button\" href=\"/portal/applications/warehouse\">{}</a></p>\n",
        ctx.t("new_change"),
        ctx.t("new_warehouse")
    );
    if list.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", ctx.t("none"));
    } else {
        let _ = write!(
            body,
            "<table class=\"applications\">\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
            ctx.t("kind"),
            ctx.t("state"),
            ctx.t("submitted_at"),
            ctx.t("decided_at"),
            ctx.t("reason")
        );
        for a in &list {
            let _ = writeln!(
                body,
                "<tr data-id=\"{id}\"><td><a href=\"/portal/applications/{id}\">{}</a></td><td class=\"state-{s}\">{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td></tr>",
                kind_text(ctx.lang, a.kind),
                named(ctx.lang, a.state.as_str(), a.state.name_zh()),
                when(a.submitted_at),
                a.decided_at.map_or_else(|| "—".into(), when),
                escape(a.reason.as_deref().unwrap_or("")),
                id = escape(&a.id),
                s = a.state.as_str(),
            );
        }
        body.push_str("</tbody>\n</table>\n");
        if list.len() == PAGE_ROWS as usize {
            let _ = writeln!(
                body,
                "<p class=\"pager\"><a href=\"/portal/applications?offset={}\">{}</a></p>",
                offset + PAGE_ROWS,
                ctx.t("older")
            );
        }
    }
    render(&ctx, StatusCode::OK, "applications", ctx.t("applications"), &body)
}

async fn application_page(
    State(state): State<AppState>,
    Query(query): Q,
    id: Id,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let a: Application = match applications::get_application(State(state.clone()), ctx.caller(), Path(id.0)).await {
        Ok(Json(a)) => a,
        Err(e) => return refusal(&ctx, "applications", &e),
    };
    let notice = notice(&ctx, &query, &[("submitted", "submitted")]);
    let payload = serde_json::to_string_pretty(&a.payload).unwrap_or_default();
    let body = format!(
        "{notice}<table class=\"record\">\n<tbody>\n\
         <tr><th scope=\"row\">{kind}</th><td>{kind_v}</td></tr>\n\
         <tr><th scope=\"row\">{state_l}</th><td class=\"state-{s}\">{state_v}</td></tr>\n\
         <tr><th scope=\"row\">{sub}</th><td>{sub_v}</td></tr>\n\
         <tr><th scope=\"row\">{dec}</th><td>{dec_v}</td></tr>\n\
         <tr><th scope=\"row\">{reason}</th><td>{reason_v}</td></tr>\n</tbody>\n</table>\n\
         <h2>{payload_l}</h2>\n<pre class=\"json\">{payload}</pre>\n",
        kind = ctx.t("kind"),
        kind_v = kind_text(ctx.lang, a.kind),
        state_l = ctx.t("state"),
        s = a.state.as_str(),
        state_v = named(ctx.lang, a.state.as_str(), a.state.name_zh()),
        sub = ctx.t("submitted_at"),
        sub_v = when(a.submitted_at),
        dec = ctx.t("decided_at"),
        dec_v = a.decided_at.map_or_else(|| "—".into(), when),
        reason = ctx.t("reason"),
        reason_v = escape(a.reason.as_deref().unwrap_or("")),
        payload_l = ctx.t("payload"),
        payload = escape(&payload),
    );
    render(&ctx, StatusCode::OK, "applications", &kind_text(ctx.lang, a.kind), &body)
}

/// Submits an application through the API's own handler: the filing rules
/// run now, the store writes the audit entry.
async fn submit(state: &AppState, ctx: &Ctx, kind: ApplicationKind, payload: Value) -> Result<Application, ApiError> {
    let body = json!({"kind": kind.as_str(), "enterprise_id": ctx.enterprise.id, "payload": payload});
    let request = serde_json::from_value(body)
        .map_err(|e| ApiError::InvalidJson { message: e.to_string(), diagnostics: Vec::new() })?;
    let (_, Json(application)) =
        applications::submit_application(State(state.clone()), ctx.caller(), Json(request)).await?;
    Ok(application)
}

fn text_input(label: &str, name: &str, value: &str, required: bool) -> String {
    format!(
        "<label for=\"{name}\">{label}</label>\n<input type=\"text\" id=\"{name}\" name=\"{name}\" value=\"{}\"{}>\n",
        escape(value),
        if required { " required" } else { "" }
    )
}

/// The information change form, filled with `values` (the record on file,
/// or what was posted).
fn change_form_body(
    ctx: &Ctx,
    values: &HashMap<&str, String>,
    types: &[EnterpriseType],
    trade: Trade,
    b2b: bool,
) -> String {
    let v = |k: &str| values.get(k).cloned().unwrap_or_default();
    let r = &ctx.enterprise.record;
    let mut body = format!(
        "<p>{}</p>\n<form method=\"post\" action=\"/portal/applications/change\" class=\"application\">\n{}\
         <p class=\"fixed\">{}: <code>{}</code> · {}: <code>{}</code></p>\n",
        ctx.t("change_intro"),
        ctx.csrf_field(),
        ctx.t("customs_code"),
        escape(r.customs_code.as_deref().unwrap_or("—")),
        ctx.t("uscc"),
        escape(r.uscc.as_deref().unwrap_or("—")),
    );
    for (key, required) in [
        ("name", true),
        ("name_en", false),
        ("address", true),
        ("contact", true),
        ("telephone", true),
        ("customs_district", true),
        ("dxp_id", false),
    ] {
        body.push_str(&text_input(ctx.t(key), key, &v(key), required));
    }
    let _ = write!(body, "<fieldset>\n<legend>{}</legend>\n", ctx.t("types"));
    for t in EnterpriseType::ALL {
        let checked = if types.contains(t) { " checked" } else { "" };
        let _ = writeln!(
            body,
            "<label class=\"check\"><input type=\"checkbox\" name=\"types\" value=\"{}\"{checked}> {}</label>",
            t.as_str(),
            named(ctx.lang, t.as_str(), t.name_zh())
        );
    }
    body.push_str("</fieldset>\n");
    let _ = write!(body, "<label for=\"trade\">{}</label>\n<select id=\"trade\" name=\"trade\">\n", ctx.t("trade"));
    for t in Trade::ALL {
        let selected = if *t == trade { " selected" } else { "" };
        let _ = writeln!(
            body,
            "<option value=\"{}\"{selected}>{}</option>",
            t.as_str(),
            named(ctx.lang, t.as_str(), t.name_zh())
        );
    }
    body.push_str("</select>\n");
    let _ = write!(
        body,
        "<label class=\"check\"><input type=\"checkbox\" name=\"b2b_export\" value=\"true\"{}> {}</label>\n\
         <button type=\"submit\">{}</button>\n</form>\n",
        if b2b { " checked" } else { "" },
        ctx.t("b2b_export"),
        ctx.t("submit")
    );
    body
}

async fn change_form(State(state): State<AppState>, Query(query): Q, uri: Uri, headers: HeaderMap) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let r = &ctx.enterprise.record;
    let values: HashMap<&str, String> = [
        ("name", r.name.clone()),
        ("name_en", r.name_en.clone().unwrap_or_default()),
        ("address", r.address.clone()),
        ("contact", r.contact.clone()),
        ("telephone", r.telephone.clone()),
        ("customs_district", r.customs_district.clone()),
        ("dxp_id", r.dxp_id.clone().unwrap_or_default()),
    ]
    .into_iter()
    .collect();
    let body = change_form_body(&ctx, &values, &r.types, r.trade, r.b2b_export);
    render(&ctx, StatusCode::OK, "applications", ctx.t("new_change"), &body)
}

async fn submit_change(State(state): State<AppState>, uri: Uri, headers: HeaderMap, Form(form): F) -> Response {
    let ctx = enter_form!(state, headers, uri, form);
    let r = &ctx.enterprise.record;
    let keys = ["name", "name_en", "address", "contact", "telephone", "customs_district", "dxp_id"];
    let values: HashMap<&str, String> = keys.iter().map(|k| (*k, field(&form, k).trim().to_owned())).collect();
    let optional = |k: &str| Some(values[k].clone()).filter(|v| !v.is_empty());
    let mut types: Vec<EnterpriseType> = Vec::new();
    let mut bad = Vec::new();
    for (_, v) in form.iter().filter(|(k, _)| k == "types") {
        match EnterpriseType::parse(v) {
            Some(t) if !types.contains(&t) => types.push(t),
            Some(_) => {}
            None => bad.push(format!("types: {v:?}")),
        }
    }
    let trade = Trade::parse(field(&form, "trade"));
    let b2b = field(&form, "b2b_export") == "true";
    let result = match (trade, bad.is_empty()) {
        (Some(trade), true) => {
            // The identity codes are kept as filed: the rules refuse a change of them.
            let record = json!({
                "customs_code": r.customs_code,
                "uscc": r.uscc,
                "name": values["name"],
                "name_en": optional("name_en"),
                "address": values["address"],
                "contact": values["contact"],
                "telephone": values["telephone"],
                "customs_district": values["customs_district"],
                "dxp_id": optional("dxp_id"),
                "types": types,
                "trade": trade,
                "b2b_export": b2b,
            });
            submit(&state, &ctx, ApplicationKind::InfoChange, json!({ "record": record })).await
        }
        _ => Err(ApiError::bad_request(format!(
            "the form is not valid: {}",
            if trade.is_none() { format!("trade {:?}", field(&form, "trade")) } else { bad.join(", ") }
        ))),
    };
    match result {
        Ok(a) => redirect(&format!("/portal/applications/{}?done=submitted", a.id)),
        Err(e) if matches!(e, ApiError::Internal(_) | ApiError::Unavailable) => failure(ctx.lang, &e),
        Err(e) => {
            let body = format!(
                "{}{}",
                refusal_body(&ctx, &e),
                change_form_body(&ctx, &values, &types, trade.unwrap_or(r.trade), b2b)
            );
            render(&ctx, e.status(), "applications", ctx.t("new_change"), &body)
        }
    }
}

const WAREHOUSE_FIELDS: [&str; 6] = ["wh_name", "wh_country", "wh_address", "wh_area", "wh_document", "wh_operator"];

fn warehouse_form_body(ctx: &Ctx, values: &HashMap<&str, String>, nature: WarehouseNature) -> String {
    let v = |k: &str| values.get(k).cloned().unwrap_or_default();
    let mut body = format!(
        "<p>{}</p>\n<form method=\"post\" action=\"/portal/applications/warehouse\" class=\"application\">\n{}",
        ctx.t("warehouse_intro"),
        ctx.csrf_field()
    );
    for key in ["wh_name", "wh_country", "wh_address", "wh_area"] {
        body.push_str(&text_input(ctx.t(key), key, &v(key), true));
    }
    let _ = write!(
        body,
        "<label for=\"wh_nature\">{}</label>\n<select id=\"wh_nature\" name=\"wh_nature\">\n",
        ctx.t("wh_nature")
    );
    for n in WarehouseNature::ALL {
        let selected = if *n == nature { " selected" } else { "" };
        let _ = writeln!(
            body,
            "<option value=\"{}\"{selected}>{}</option>",
            n.as_str(),
            named(ctx.lang, n.as_str(), n.name_zh())
        );
    }
    body.push_str("</select>\n");
    for key in ["wh_document", "wh_operator"] {
        body.push_str(&text_input(ctx.t(key), key, &v(key), false));
    }
    let _ = write!(body, "<button type=\"submit\">{}</button>\n</form>\n", ctx.t("submit"));
    body
}

async fn warehouse_form(State(state): State<AppState>, Query(query): Q, uri: Uri, headers: HeaderMap) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let body = warehouse_form_body(&ctx, &HashMap::new(), WarehouseNature::ALL[0]);
    render(&ctx, StatusCode::OK, "applications", ctx.t("new_warehouse"), &body)
}

async fn submit_warehouse(State(state): State<AppState>, uri: Uri, headers: HeaderMap, Form(form): F) -> Response {
    let ctx = enter_form!(state, headers, uri, form);
    let values: HashMap<&str, String> =
        WAREHOUSE_FIELDS.iter().map(|k| (*k, field(&form, k).trim().to_owned())).collect();
    let optional = |k: &str| Some(values[k].clone()).filter(|v| !v.is_empty());
    let nature = WarehouseNature::parse(field(&form, "wh_nature"));
    let result = match nature {
        Some(nature) => {
            let warehouse = json!({
                "name": values["wh_name"],
                "country": values["wh_country"],
                "address": values["wh_address"],
                "area_m2": values["wh_area"],
                "nature": nature,
                "document": optional("wh_document"),
                "operator": optional("wh_operator"),
            });
            submit(&state, &ctx, ApplicationKind::OverseasWarehouse, json!({ "warehouse": warehouse })).await
        }
        None => Err(ApiError::bad_request(format!("nature {:?} is not owned or leased", field(&form, "wh_nature")))),
    };
    match result {
        Ok(a) => redirect(&format!("/portal/applications/{}?done=submitted", a.id)),
        Err(e) if matches!(e, ApiError::Internal(_) | ApiError::Unavailable) => failure(ctx.lang, &e),
        Err(e) => {
            let body = format!(
                "{}{}",
                refusal_body(&ctx, &e),
                warehouse_form_body(&ctx, &values, nature.unwrap_or(WarehouseNature::ALL[0]))
            );
            render(&ctx, e.status(), "applications", ctx.t("new_warehouse"), &body)
        }
    }
}

// ---- messages and receipts -------------------------------------------------------------------

fn receipt_block(ctx: &Ctx, r: &ReceiptRow) -> String {
    let tax_bill = matches!(r.message_type.as_str(), "CEB816Message" | "CEB818Message");
    let rejected = !tax_bill && is_rejection(&r.return_status);
    let class = if rejected { "receipt rejected" } else { "receipt" };
    let document = r
        .doc_id
        .as_ref()
        .map(|d| format!(" · <a href=\"/portal/documents/{id}\">{}</a>", ctx.t("document"), id = escape(d)))
        .unwrap_or_default();
    let mut out = format!(
        "<article class=\"{class}\" data-seq=\"{seq}\" data-status=\"{status}\">\n<h3>{when} · {mt} · \
         <span class=\"business-key\">{key}</span>{document}</h3>\n<p class=\"status\">{status_l}: <strong>{status_t}</strong></p>\n",
        seq = r.seq,
        status = escape(&r.return_status),
        when = when(r.issued_at),
        mt = escape(&r.message_type),
        key = escape(&r.business_key),
        status_l = ctx.t("return_status"),
        status_t = escape(&receipt_status(ctx.lang, &r.message_type, &r.return_status)),
    );
    if rejected {
        let _ = write!(out, "<h4>{}</h4>\n{}", ctx.t("rejection"), rejection(ctx.lang, &r.return_info));
    }
    let _ = write!(out, "<p class=\"info\">{}: {}</p>\n</article>\n", ctx.t("return_info"), escape(&r.return_info));
    out
}

async fn messages_page(State(state): State<AppState>, Query(query): Q, uri: Uri, headers: HeaderMap) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let before = query.get("before").and_then(|b| b.parse::<i64>().ok());
    let receipts = match state.store.recent_receipts_for(&ctx.codes, before, PAGE_ROWS).await {
        Ok(r) => r,
        Err(e) => return failure(ctx.lang, &e),
    };
    let mut body = String::new();
    if receipts.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", ctx.t("no_receipts"));
    }
    for r in &receipts {
        body.push_str(&receipt_block(&ctx, r));
    }
    body.push_str(&pager(
        &ctx,
        "/portal/messages?",
        before.is_some(),
        receipts.len(),
        receipts.last().map(|r| r.seq.to_string()),
    ));
    render(&ctx, StatusCode::OK, "messages", ctx.t("messages"), &body)
}

/// Links to the newest page and the next older one.
fn pager(ctx: &Ctx, base: &str, paged: bool, shown: usize, last: Option<String>) -> String {
    let mut links = Vec::new();
    if paged {
        links.push(format!("<a href=\"{}\">{}</a>", escape(base.trim_end_matches(['?', '&'])), ctx.t("newest")));
    }
    if shown == PAGE_ROWS as usize
        && let Some(last) = last
    {
        links.push(format!("<a href=\"{}before={}\" rel=\"next\">{}</a>", escape(base), escape(&last), ctx.t("older")));
    }
    if links.is_empty() { String::new() } else { format!("<p class=\"pager\">{}</p>\n", links.join(" ")) }
}

async fn message_page(
    State(state): State<AppState>,
    Query(query): Q,
    id: Id,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let m = match clearance::get_message(State(state.clone()), ctx.caller(), Path(id.0)).await {
        Ok(Json(m)) => m,
        Err(e) => return refusal(&ctx, "messages", &e),
    };
    let shown = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_XML_SHOWN)]).into_owned();
        let cut = if bytes.len() > MAX_XML_SHOWN { ctx.t("truncated") } else { "" };
        format!("<pre class=\"xml\">{}</pre>{cut}\n", escape(&text))
    };
    let mut body = format!(
        "<table class=\"record\">\n<tbody>\n<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n\
         <tr><th scope=\"row\">{}</th><td><code>{}</code></td></tr>\n<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n\
         <tr><th scope=\"row\">{}</th><td><code>{}</code></td></tr>\n</tbody>\n</table>\n",
        ctx.t("message_type"),
        escape(&m.message_type),
        ctx.t("guid"),
        escape(m.guid.as_deref().unwrap_or("—")),
        ctx.t("received_at"),
        when(m.received_at),
        ctx.t("sha256"),
        escape(&m.sha256),
    );
    if let Some(answer) = &m.response {
        let _ = write!(body, "<h2>{}</h2>\n{}", ctx.t("answer"), shown(answer));
    }
    let _ = write!(body, "<details>\n<summary>{}</summary>\n{}</details>\n", ctx.t("raw_xml"), shown(&m.raw));
    render(&ctx, StatusCode::OK, "messages", &format!("{} {}", ctx.t("message"), m.message_type), &body)
}

// ---- lists and documents ------------------------------------------------------------------------

async fn lists_page(State(state): State<AppState>, Query(query): Q, uri: Uri, headers: HeaderMap) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let kind = match query.get("kind").map(String::as_str) {
        None | Some("") | Some("list") => Some("list"),
        Some("all") => None,
        Some(k) => match cbec_clearance::Kind::parse(k) {
            Some(k) => Some(k.name()),
            None => {
                let e = ApiError::bad_request(format!("kind {k:?} is not a document kind"));
                return refusal(&ctx, "lists", &e);
            }
        },
    };
    let before = query.get("before").filter(|b| !b.is_empty()).cloned();
    let docs = match state.store.recent_documents_for(&ctx.codes, kind, before.as_deref(), PAGE_ROWS).await {
        Ok(d) => d,
        Err(e) => return failure(ctx.lang, &e),
    };
    let kind_value = kind.unwrap_or("all");
    let mut body = format!(
        "<form method=\"get\" action=\"/portal/lists\" class=\"filter\">\n<label for=\"kind\">{}</label>\n\
         <select id=\"kind\" name=\"kind\">\n",
        ctx.t("kind_filter")
    );
    let mut options: Vec<(&str, String)> = vec![("all", ctx.t("all_kinds").to_owned())];
    options.extend(cbec_clearance::Kind::ALL.iter().map(|k| (k.name(), k.label().to_owned())));
    for (value, label) in options {
        let selected = if value == kind_value { " selected" } else { "" };
        let _ = writeln!(body, "<option value=\"{value}\"{selected}>{}</option>", escape(&label));
    }
    let _ = write!(body, "</select>\n<button type=\"submit\">{}</button>\n</form>\n", ctx.t("show"));
    if docs.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", ctx.t("no_documents"));
    } else {
        let _ = write!(
            body,
            "<table class=\"documents\">\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
            ctx.t("business_key"),
            ctx.t("kind"),
            ctx.t("status"),
            ctx.t("sender"),
            ctx.t("updated_at")
        );
        for d in &docs {
            let kind_label = cbec_clearance::Kind::parse(&d.kind).map_or(d.kind.as_str(), |k| k.label());
            let _ = writeln!(
                body,
                "<tr data-id=\"{id}\"><td><a href=\"/portal/documents/{id}\">{}</a></td><td>{}</td>\
                 <td class=\"status status-{s}\">{}</td><td>{}</td><td>{}</td></tr>",
                escape(&d.business_key),
                escape(kind_label),
                escape(&doc_status(ctx.lang, &d.status)),
                escape(&d.sender),
                when(d.updated_at),
                id = escape(&d.id),
                s = escape(&d.status),
            );
        }
        body.push_str("</tbody>\n</table>\n");
    }
    let base = format!("/portal/lists?kind={kind_value}&");
    body.push_str(&pager(&ctx, &base, before.is_some(), docs.len(), docs.last().map(|d| d.id.clone())));
    render(&ctx, StatusCode::OK, "lists", ctx.t("lists"), &body)
}

async fn document_page(
    State(state): State<AppState>,
    Query(query): Q,
    id: Id,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let detail = match clearance::get_document(State(state.clone()), ctx.caller(), Path(id.0)).await {
        Ok(Json(d)) => fields_of(&d),
        Err(e) => return refusal(&ctx, "lists", &e),
    };
    let status = detail["status"].as_str().unwrap_or_default();
    let kind = detail["kind"].as_str().unwrap_or_default();
    let kind_label = cbec_clearance::Kind::parse(kind).map_or(kind, |k| k.label());
    let sender = detail["sender"].as_str().unwrap_or_default();
    // Only the sender may read the message itself.
    let message = match detail["message_id"].as_str() {
        Some(m) if ctx.codes.iter().any(|c| c == sender) => {
            format!("<a href=\"/portal/messages/{}\">{}</a>", escape(m), ctx.t("raw_xml"))
        }
        _ => "—".into(),
    };
    let mut body = format!(
        "<table class=\"record\">\n<tbody>\n<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n\
         <tr><th scope=\"row\">{}</th><td>{}</td></tr>\n<tr><th scope=\"row\">{}</th><td class=\"status status-{}\">{}</td></tr>\n\
         <tr><th scope=\"row\">{}</th><td>{}</td></tr>\n<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n\
         <tr><th scope=\"row\">{}</th><td>{}</td></tr>\n</tbody>\n</table>\n",
        ctx.t("business_key"),
        text(&detail["business_key"]),
        ctx.t("kind"),
        escape(kind_label),
        ctx.t("status"),
        escape(status),
        escape(&doc_status(ctx.lang, status)),
        ctx.t("sender"),
        escape(sender),
        ctx.t("updated_at"),
        millis(&detail["updated_at"]),
        ctx.t("message"),
        message,
    );
    let _ = write!(
        body,
        "<h2>{}</h2>\n<table class=\"history\">\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        ctx.t("history"),
        ctx.t("at"),
        ctx.t("from_to"),
        ctx.t("reason")
    );
    for m in detail["moves"].as_array().into_iter().flatten() {
        let from = m["from"].as_str().map(|f| doc_status(ctx.lang, f)).unwrap_or_default();
        let to = doc_status(ctx.lang, m["to"].as_str().unwrap_or_default());
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td>{}{}</td><td>{}</td></tr>",
            millis(&m["at"]),
            if from.is_empty() { String::new() } else { format!("{} → ", escape(&from)) },
            escape(&to),
            text(&m["reason"])
        );
    }
    body.push_str("</tbody>\n</table>\n");
    let _ = writeln!(body, "<h2>{}</h2>", ctx.t("receipts"));
    let receipts: Vec<ReceiptRow> = detail["receipts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| ReceiptRow {
            seq: r["seq"].as_i64().unwrap_or_default(),
            id: r["id"].as_str().unwrap_or_default().to_owned(),
            doc_id: None,
            message_type: r["message_type"].as_str().unwrap_or_default().to_owned(),
            return_status: r["return_status"].as_str().unwrap_or_default().to_owned(),
            return_info: r["return_info"].as_str().unwrap_or_default().to_owned(),
            business_key: r["business_key"].as_str().unwrap_or_default().to_owned(),
            xml: String::new(),
            issued_at: cbec_store::Millis(r["issued_at"].as_i64().unwrap_or_default()),
        })
        .collect();
    if receipts.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", ctx.t("no_receipts"));
    }
    for r in receipts.iter().rev() {
        body.push_str(&receipt_block(&ctx, r));
    }
    let facts = serde_json::to_string_pretty(&detail["facts"]).unwrap_or_default();
    let _ = write!(
        body,
        "<details>\n<summary>{}</summary>\n<pre class=\"json\">{}</pre>\n</details>\n",
        ctx.t("facts"),
        escape(&facts)
    );
    let title = format!("{} {}", kind_label, detail["business_key"].as_str().unwrap_or_default());
    render(&ctx, StatusCode::OK, "lists", &title, &body)
}

// ---- orders --------------------------------------------------------------------------------------

/// The orders addressed to the enterprise, as the API's
/// `/enterprises/{id}/monitoring-orders` shows them, read through the
/// enterprise index of the monitoring records (only its own orders).
async fn my_orders(state: &AppState, ctx: &Ctx) -> Result<(Vec<OrderView>, u32), ApiError> {
    let mut reductions: Vec<ReductionOrder> = Vec::new();
    let mut rectifications: Vec<RectificationOrder> = Vec::new();
    for code in &ctx.codes {
        for kind in ["reduction_order", "rectification_order"] {
            let filter = cbec_store::MonitoringFilter {
                kind: Some(kind.into()),
                enterprise: Some(code.clone()),
                ..Default::default()
            };
            for row in state.store.monitoring_records(&filter).await? {
                let read = |e: serde_json::Error| ApiError::internal(format!("{kind} {} does not read: {e}", row.id));
                if kind == "reduction_order" {
                    reductions.push(serde_json::from_str(&row.body).map_err(read)?);
                } else {
                    rectifications.push(serde_json::from_str(&row.body).map_err(read)?);
                }
            }
        }
    }
    let now = state.now().0;
    let mut all = Vec::new();
    let mut violations = 0u32;
    for code in &ctx.codes {
        let view = cbec_monitoring::enterprise_view(&reductions, &rectifications, code, now);
        all.extend(view.orders);
        violations = violations.saturating_add(view.violations);
    }
    all.sort_by(|a, b| {
        let (wa, wb) = (a.status.awaits_enterprise(), b.status.awaits_enterprise());
        wb.cmp(&wa).then_with(|| {
            if wa { a.deadline.cmp(&b.deadline) } else { b.issued_at.cmp(&a.issued_at) }.then_with(|| a.id.cmp(&b.id))
        })
    });
    all.dedup_by(|a, b| a.id == b.id);
    Ok((all, violations))
}

fn order_kind_name(kind: OrderKind) -> &'static str {
    match kind {
        OrderKind::Reduction => "reduction",
        OrderKind::Rectification => "rectification",
    }
}

fn order_block(ctx: &Ctx, o: &OrderView) -> String {
    let kind = order_kind_name(o.kind);
    let status = o.status.as_str();
    let mut out = format!(
        "<article class=\"order order-{status}\" data-id=\"{id}\">\n<h3>{kind_t} · {subject}</h3>\n\
         <table class=\"record\">\n<tbody>\n<tr><th scope=\"row\">{status_l}</th><td class=\"status\">{status_t}</td></tr>\n\
         <tr><th scope=\"row\">{desc_l}</th><td>{desc}</td></tr>\n<tr><th scope=\"row\">{issued_l}</th><td>{issued}</td></tr>\n\
         <tr><th scope=\"row\">{deadline_l}</th><td>{deadline}</td></tr>\n",
        id = escape(&o.id),
        kind_t = ctx.t(&format!("order_kind_{kind}")),
        subject = escape(&o.subject.replace('_', " ")),
        status_l = ctx.t("status"),
        status_t = ctx.t(&format!("order_status_{status}")),
        desc_l = ctx.t("description"),
        desc = escape(&o.description),
        issued_l = ctx.t("issued_at"),
        issued = when(cbec_store::Millis(o.issued_at)),
        deadline_l = ctx.t("deadline"),
        deadline = when(cbec_store::Millis(o.deadline)),
    );
    if !o.documents.is_empty() {
        let docs: Vec<String> = o
            .documents
            .iter()
            .map(|d| format!("<a href=\"/portal/documents/{id}\">{id}</a>", id = escape(d)))
            .collect();
        let _ = writeln!(out, "<tr><th scope=\"row\">{}</th><td>{}</td></tr>", ctx.t("document"), docs.join(", "));
    }
    if let Some(r) = &o.response {
        let evidence =
            if r.evidence.is_empty() { String::new() } else { format!(" ({})", escape(&r.evidence.join(", "))) };
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}{evidence} · {}</td></tr>",
            ctx.t("response"),
            escape(&r.text),
            when(cbec_store::Millis(r.at))
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if let Some(why) = &o.rejected_because {
        let _ = writeln!(out, "<p class=\"error\">{}{}</p>", ctx.t("rejected_because"), escape(why));
    }
    if o.status.awaits_enterprise() {
        let _ = write!(
            out,
            "<form method=\"post\" action=\"/portal/orders/{id}/respond\" class=\"respond\">\n{csrf}\
             <input type=\"hidden\" name=\"kind\" value=\"{kind}\">\n<input type=\"hidden\" name=\"version\" value=\"{version}\">\n\
             <label for=\"text-{id}\">{text_l}</label>\n<textarea id=\"text-{id}\" name=\"text\" rows=\"4\" required></textarea>\n\
             <label for=\"evidence-{id}\">{evidence_l}</label>\n<textarea id=\"evidence-{id}\" name=\"evidence\" rows=\"2\"></textarea>\n\
             <button type=\"submit\">{respond}</button>\n</form>\n",
            id = escape(&o.id),
            csrf = ctx.csrf_field(),
            version = o.version,
            text_l = ctx.t("response_text"),
            evidence_l = ctx.t("evidence"),
            respond = ctx.t("respond"),
        );
    }
    out.push_str("</article>\n");
    out
}

async fn orders_page(State(state): State<AppState>, Query(query): Q, uri: Uri, headers: HeaderMap) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let (orders, violations) = match my_orders(&state, &ctx).await {
        Ok(o) => o,
        Err(e) => return refusal(&ctx, "orders", &e),
    };
    let mut body = notice(&ctx, &query, &[("responded", "responded")]);
    let _ = writeln!(body, "<p>{}: <strong>{violations}</strong></p>", ctx.t("violations"));
    if orders.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", ctx.t("no_orders"));
    }
    for o in &orders {
        body.push_str(&order_block(&ctx, o));
    }
    render(&ctx, StatusCode::OK, "orders", ctx.t("orders"), &body)
}

async fn respond(State(state): State<AppState>, id: Id, uri: Uri, headers: HeaderMap, Form(form): F) -> Response {
    let ctx = enter_form!(state, headers, uri, form);
    let evidence: Vec<&str> = field(&form, "evidence").lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let version: Option<u32> = field(&form, "version").parse().ok();
    let body = json!({
        "expected_version": version,
        "command": "respond",
        "text": field(&form, "text").trim(),
        "evidence": evidence,
    });
    let bad_json = |e: serde_json::Error| ApiError::bad_request(format!("the response form is not valid: {e}"));
    let result = match field(&form, "kind") {
        "reduction" => match serde_json::from_value(body).map_err(bad_json) {
            Ok(command) => {
                monitoring::reduction_command(State(state.clone()), ctx.caller(), Path(id.0), Json(command)).await
            }
            Err(e) => Err(e),
        },
        "rectification" => match serde_json::from_value(body).map_err(bad_json) {
            Ok(command) => {
                monitoring::rectification_command(State(state.clone()), ctx.caller(), Path(id.0), Json(command)).await
            }
            Err(e) => Err(e),
        },
        other => Err(ApiError::bad_request(format!("kind {other:?} is not reduction or rectification"))),
    };
    match result {
        Ok(_) => redirect("/portal/orders?done=responded"),
        Err(e) => refusal(&ctx, "orders", &e),
    }
}

// ---- API tokens -----------------------------------------------------------------------------------

fn tokens_body(ctx: &Ctx, tokens: &[ApiToken]) -> String {
    let mut body = String::new();
    if tokens.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", ctx.t("no_tokens"));
    } else {
        let _ = write!(
            body,
            "<table class=\"tokens\">\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\"></th></tr></thead>\n<tbody>\n",
            ctx.t("token_label"),
            ctx.t("created_at"),
            ctx.t("state")
        );
        for t in tokens {
            let (state, action) = match t.revoked_at {
                Some(at) => (format!("{} {}", ctx.t("revoked"), when(at)), String::new()),
                None => (
                    ctx.t("in_force").to_owned(),
                    format!("<a href=\"/portal/tokens/{}/revoke\">{}</a>", escape(&t.id), ctx.t("revoke")),
                ),
            };
            let _ = writeln!(
                body,
                "<tr data-id=\"{}\"><td>{}</td><td>{}</td><td>{state}</td><td>{action}</td></tr>",
                escape(&t.id),
                escape(&t.label),
                when(t.created_at)
            );
        }
        body.push_str("</tbody>\n</table>\n");
    }
    let _ = write!(
        body,
        "<h2>{create}</h2>\n<form method=\"post\" action=\"/portal/tokens\">\n{csrf}\
         <label for=\"label\">{label}</label>\n<input type=\"text\" id=\"label\" name=\"label\" maxlength=\"200\">\n\
         <button type=\"submit\">{create}</button>\n</form>\n",
        create = ctx.t("create_token"),
        csrf = ctx.csrf_field(),
        label = ctx.t("token_label"),
    );
    body
}

async fn list_tokens(state: &AppState, ctx: &Ctx) -> Result<Vec<ApiToken>, ApiError> {
    let id = ctx.enterprise.id.clone();
    officers::list_enterprise_tokens(State(state.clone()), ctx.caller(), Path(id)).await.map(|Json(t)| t)
}

async fn tokens_page(State(state): State<AppState>, Query(query): Q, uri: Uri, headers: HeaderMap) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let tokens = match list_tokens(&state, &ctx).await {
        Ok(t) => t,
        Err(e) => return refusal(&ctx, "tokens", &e),
    };
    let body = format!("{}{}", notice(&ctx, &query, &[("revoked", "token_revoked")]), tokens_body(&ctx, &tokens));
    render(&ctx, StatusCode::OK, "tokens", ctx.t("tokens"), &body)
}

async fn create_token(State(state): State<AppState>, uri: Uri, headers: HeaderMap, Form(form): F) -> Response {
    let ctx = enter_form!(state, headers, uri, form);
    let label = field(&form, "label").trim();
    let request = match serde_json::from_value(json!({ "label": Some(label).filter(|l| !l.is_empty()) })) {
        Ok(r) => r,
        Err(e) => return refusal(&ctx, "tokens", &ApiError::bad_request(e.to_string())),
    };
    let id = ctx.enterprise.id.clone();
    let created =
        match officers::create_enterprise_token(State(state.clone()), ctx.caller(), Path(id), OptionalJson(request))
            .await
        {
            Ok((_, Json(created))) => fields_of(&created),
            Err(e) => return refusal(&ctx, "tokens", &e),
        };
    let tokens = match list_tokens(&state, &ctx).await {
        Ok(t) => t,
        Err(e) => return refusal(&ctx, "tokens", &e),
    };
    let body = format!(
        "<div class=\"secret\" role=\"status\"><p>{}</p>\n<p><strong>{}</strong></p>\n\
         <p><code class=\"token\" id=\"new-token\">{}</code></p></div>\n{}",
        ctx.t("token_created"),
        text(&created["label"]),
        text(&created["token"]),
        tokens_body(&ctx, &tokens)
    );
    render(&ctx, StatusCode::CREATED, "tokens", ctx.t("tokens"), &body)
}

fn confirm_page(ctx: &Ctx, section: &str, title: &str, question: &str, action: &str, back: &str) -> Response {
    let body = format!(
        "<form method=\"post\" action=\"{action}\" class=\"confirm\">\n{csrf}<p class=\"warning\">{question}</p>\n\
         <button type=\"submit\" class=\"danger\">{confirm}</button> <a href=\"{back}\">{cancel}</a>\n</form>\n",
        action = escape(action),
        csrf = ctx.csrf_field(),
        question = question,
        confirm = ctx.t("confirm"),
        back = escape(back),
        cancel = ctx.t("cancel"),
    );
    render(ctx, StatusCode::OK, section, title, &body)
}

async fn confirm_revoke(
    State(state): State<AppState>,
    Query(query): Q,
    id: Id,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let tokens = match list_tokens(&state, &ctx).await {
        Ok(t) => t,
        Err(e) => return refusal(&ctx, "tokens", &e),
    };
    // Only its own, unrevoked tokens: any other id is not found.
    let Some(token) = tokens.iter().find(|t| t.id == id.0 && t.revoked_at.is_none()) else {
        return refusal(&ctx, "tokens", &ApiError::NotFound(format!("token {} not found", id.0)));
    };
    let question = format!("{} <strong>{}</strong>", ctx.t("confirm_revoke"), escape(&token.label));
    confirm_page(
        &ctx,
        "tokens",
        ctx.t("revoke"),
        &question,
        &format!("/portal/tokens/{}/revoke", token.id),
        "/portal/tokens",
    )
}

async fn revoke(State(state): State<AppState>, id: Id, uri: Uri, headers: HeaderMap, Form(form): F) -> Response {
    let ctx = enter_form!(state, headers, uri, form);
    match officers::revoke_token(State(state.clone()), ctx.caller(), Path(id.0)).await {
        Ok(_) => redirect("/portal/tokens?done=revoked"),
        Err(e) => refusal(&ctx, "tokens", &e),
    }
}

// ---- webhook -------------------------------------------------------------------------------------

fn webhook_body(ctx: &Ctx, current: Option<&Value>, url_value: &str) -> String {
    let mut body = format!("<p>{}</p>\n", ctx.t("webhook_intro"));
    match current {
        Some(hook) => {
            let _ = write!(
                body,
                "<p>{}: <code class=\"webhook-url\">{}</code> ({})</p>\n<p><a href=\"/portal/webhook/remove\">{}</a></p>\n",
                ctx.t("webhook_current"),
                text(&hook["url"]),
                millis(&hook["created_at"]),
                ctx.t("webhook_remove")
            );
        }
        None => {
            let _ = writeln!(body, "<p>{}</p>", ctx.t("webhook_none"));
        }
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/portal/webhook\">\n{csrf}\
         <label for=\"url\">{url_l}</label>\n<input type=\"url\" id=\"url\" name=\"url\" value=\"{url}\" required>\n\
         <label for=\"secret\">{secret_l}</label>\n<input type=\"password\" id=\"secret\" name=\"secret\" autocomplete=\"off\">\n\
         <button type=\"submit\">{set}</button>\n</form>\n",
        csrf = ctx.csrf_field(),
        url_l = ctx.t("webhook_url"),
        url = escape(url_value),
        secret_l = ctx.t("webhook_secret"),
        set = ctx.t("webhook_set"),
    );
    body
}

async fn current_webhook(state: &AppState, ctx: &Ctx) -> Result<Option<Value>, ApiError> {
    match clearance::get_webhook(State(state.clone()), ctx.caller()).await {
        Ok(Json(hook)) => Ok(Some(fields_of(&hook))),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn webhook_page(State(state): State<AppState>, Query(query): Q, uri: Uri, headers: HeaderMap) -> Response {
    let ctx = enter!(state, headers, uri, query);
    let current = match current_webhook(&state, &ctx).await {
        Ok(c) => c,
        Err(e) => return refusal(&ctx, "webhook", &e),
    };
    let url = current.as_ref().and_then(|h| h["url"].as_str()).unwrap_or_default().to_owned();
    let body = format!(
        "{}{}",
        notice(&ctx, &query, &[("removed", "webhook_removed")]),
        webhook_body(&ctx, current.as_ref(), &url)
    );
    render(&ctx, StatusCode::OK, "webhook", ctx.t("webhook"), &body)
}

async fn set_webhook(State(state): State<AppState>, uri: Uri, headers: HeaderMap, Form(form): F) -> Response {
    let ctx = enter_form!(state, headers, uri, form);
    let url = field(&form, "url").trim().to_owned();
    let secret = Some(field(&form, "secret")).filter(|s| !s.is_empty());
    let result = match serde_json::from_value(json!({"url": url, "secret": secret})) {
        Ok(request) => clearance::set_webhook(State(state.clone()), ctx.caller(), Json(request)).await,
        Err(e) => Err(ApiError::bad_request(e.to_string())),
    };
    match result {
        Ok((_, Json(hook))) => {
            let hook = fields_of(&hook);
            let body = format!(
                "<div class=\"secret\" role=\"status\"><p>{}</p>\n<p><code class=\"token\">{}</code></p></div>\n{}",
                ctx.t("webhook_saved"),
                text(&hook["secret"]),
                webhook_body(&ctx, Some(&hook), &url)
            );
            render(&ctx, StatusCode::CREATED, "webhook", ctx.t("webhook"), &body)
        }
        Err(e) if matches!(e, ApiError::Internal(_) | ApiError::Unavailable) => failure(ctx.lang, &e),
        Err(e) => {
            let current = current_webhook(&state, &ctx).await.ok().flatten();
            let body = format!("{}{}", refusal_body(&ctx, &e), webhook_body(&ctx, current.as_ref(), &url));
            render(&ctx, e.status(), "webhook", ctx.t("webhook"), &body)
        }
    }
}

async fn confirm_remove_webhook(
    State(state): State<AppState>,
    Query(query): Q,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ctx = enter!(state, headers, uri, query);
    match current_webhook(&state, &ctx).await {
        Ok(Some(hook)) => {
            let question = format!("{} <code>{}</code>", ctx.t("confirm_remove_webhook"), text(&hook["url"]));
            confirm_page(
                &ctx,
                "webhook",
                ctx.t("webhook_remove"),
                &question,
                "/portal/webhook/remove",
                "/portal/webhook",
            )
        }
        Ok(None) => refusal(&ctx, "webhook", &ApiError::NotFound("no webhook is set".into())),
        Err(e) => refusal(&ctx, "webhook", &e),
    }
}

async fn remove_webhook(State(state): State<AppState>, uri: Uri, headers: HeaderMap, Form(form): F) -> Response {
    let ctx = enter_form!(state, headers, uri, form);
    match clearance::delete_webhook(State(state.clone()), ctx.caller()).await {
        Ok(_) => redirect("/portal/webhook?done=removed"),
        Err(e) => refusal(&ctx, "webhook", &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_has_both_languages() {
        for (key, zh, en) in TEXTS.iter().chain(HINTS).chain(DOC_STATUSES) {
            assert!(!zh.is_empty() && !en.is_empty(), "{key}");
        }
        let mut keys: Vec<&str> = TEXTS.iter().map(|(k, _, _)| *k).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate text keys");
        // `name` is the enterprise's name here (and the form field's name),
        // the account's name on the sign-in page: the portal's own wins.
        for key in keys.into_iter().filter(|k| *k != "name") {
            assert!(!super::super::TEXTS.iter().any(|(k, _, _)| *k == key), "{key} is also a shared text");
        }
        // Every key the portal asks for by name exists (in its table or the shared one).
        let src = include_str!("portal.rs");
        for pat in ["t(\"", "tr(lang, \"", "tr(ctx.lang, \""] {
            for (i, _) in src.match_indices(pat) {
                if src[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &src[i + pat.len()..];
                let key = &rest[..rest.find('"').unwrap_or(0)];
                if !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                    assert_ne!(tr(Lang::En, key), "?", "no text for {key:?}");
                }
            }
        }
    }

    #[test]
    fn hints_cover_every_registered_code_group() {
        for code in Code::ALL {
            let group = code.as_str().split_once('.').map(|(g, _)| g).unwrap_or_default();
            if ["signature", "filing", "goods", "schema", "xml", "format", "code", "arith", "limit"].contains(&group) {
                assert_ne!(
                    hint(Lang::En, code.as_str()),
                    hint(Lang::En, "no.such_code"),
                    "{code} has only the generic hint"
                );
            }
        }
        assert!(hint(Lang::Zh, "arith.total_price").contains("qty × price"));
        assert!(hint(Lang::En, "schema.length").contains("XSD"));
    }

    #[test]
    fn findings_of_each_return_info_form() {
        let rules = "arith.total_price at Order[1]/OrderList[1]/totalPrice: totalPrice (总价) is 12000, but qty 200 \
                     × price 10 = 2000; placeholder.value at Order[1]/OrderHead/buyerName: buyerName (订购人的真实姓名): \
                     'aa' is a placeholder";
        let f = findings(rules);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].code, "arith.total_price");
        assert_eq!(f[0].path, "Order[1]/OrderList[1]/totalPrice");
        assert!(f[0].message.starts_with("totalPrice (总价) is 12000"));
        assert_eq!(field_name(&f[0].path), "totalPrice");
        assert_eq!(chinese_name(&f[0].message, "totalPrice"), Some("总价"));
        assert_eq!(f[1].path, "Order[1]/OrderHead/buyerName");

        let goods = "goods control (1): [goods.hs_unknown] InventoryList[2]/gcode \"9999999999\": the HS code is not \
                     in the tariff";
        let f = findings(goods);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "goods.hs_unknown");
        assert_eq!(f[0].path, "InventoryList[2]/gcode");
        assert_eq!(f[0].value.as_deref(), Some("9999999999"));
        assert_eq!(f[0].message, "the HS code is not in the tariff");

        let xml = "xml.malformed (line 3): unexpected end of input";
        let f = findings(xml);
        assert_eq!(
            (f[0].code.as_str(), f[0].path.as_str(), f[0].message.as_str()),
            ("xml.malformed", "", "unexpected end of input")
        );

        let mismatch = "three-order mismatch (2): waybill.consignee: expected 张三 (order), found 李四; \
                        payment.amountPaid: expected 100 (order), found 101";
        let f = findings(mismatch);
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].code.as_str(), f[0].path.as_str()), ("mismatch", "waybill.consignee"));
        assert_eq!(field_name(&f[1].path), "amountPaid");

        assert!(findings("the single transaction limit of 5000 is exceeded").is_empty());
        assert!(findings("").is_empty());
    }

    #[test]
    fn rejections_render_code_field_and_hint() {
        let html =
            rejection(Lang::En, "arith.total_price at Order[1]/OrderList[1]/totalPrice: totalPrice (总价) is 12000");
        assert!(html.contains("data-code=\"arith.total_price\""));
        assert!(html.contains("总价 totalPrice"));
        assert!(html.contains("<code>Order[1]/OrderList[1]/totalPrice</code>"));
        assert!(html.contains("Set totalPrice to qty × price"));
        // No code: the text itself, escaped.
        let html = rejection(Lang::Zh, "<b>limit</b>");
        assert!(html.contains("&lt;b&gt;limit&lt;/b&gt;") && !html.contains("findings"));
    }

    #[test]
    fn times_in_china_time() {
        // 2026-03-01T00:00:00Z is 08:00 in Beijing.
        let t = when(cbec_store::Millis(1_772_323_200_000));
        assert!(t.contains(">2026-03-01 08:00:00<"), "{t}");
        let t = when(cbec_store::Millis(1_772_323_200_000 - 9 * 3_600_000));
        assert!(t.contains(">2026-02-28 23:00:00<"), "{t}");
    }

    #[test]
    fn statuses_in_words() {
        assert_eq!(return_status(Lang::En, "800"), "800 Released");
        assert_eq!(return_status(Lang::Zh, "-301002"), "-301002 退单（业务校验未通过）");
        assert!(is_rejection("-2") && is_rejection("100") && !is_rejection("120"));
        assert_eq!(doc_status(Lang::Zh, "manual_review"), "人工审核（300）");
        assert_eq!(receipt_status(Lang::En, "CEB816Message", "1"), "1 Tax bill generated");
        assert_eq!(receipt_status(Lang::En, "CEB622Message", "300"), "300 Manual review");
    }
}
