//! Every string of the officers' workbench: (key, Chinese, English), and
//! the one lookup of every page's texts. The sign-in strings and those the
//! workbench shares with the portal are in `web::TEXTS`; the portal's own
//! are in `portal::TEXTS`. [`super::t`] reads `web::TEXTS` then the
//! workbench's, the portal reads its own then `web::TEXTS`.

use super::Lang;

/// A text: (key, Chinese, English).
pub(crate) type Text = (&'static str, &'static str, &'static str);

/// The text of `key` in `lang` from the first of `tables` that has it; `?`
/// for an unknown key.
pub(crate) fn lookup(tables: &[&[Text]], lang: Lang, key: &str) -> &'static str {
    tables
        .iter()
        .flat_map(|table| table.iter())
        .find(|(k, _, _)| *k == key)
        .map_or("?", |(_, zh, en)| if lang == Lang::Zh { zh } else { en })
}

pub(crate) const OFFICER: &[Text] = &[
    // frame
    ("skip_to_main", "跳到正文", "Skip to the content"),
    ("officers_only", "此页面仅供海关关员使用。", "This page is for customs officers only."),
    ("nav_label", "主导航", "Main navigation"),
    ("nav_dashboard", "监控看板", "Dashboard"),
    ("nav_queues", "待办队列", "Queues"),
    ("nav_search", "查询", "Search"),
    ("nav_risk", "风险管理", "Risk"),
    ("nav_enterprises", "企业", "Enterprises"),
    ("back_to_section", "返回", "Back"),
    ("confirm_title", "请确认操作", "Confirm the action"),
    ("confirm_intro", "以下操作将被执行并记入审计日志：", "This will be done and recorded in the audit log:"),
    ("confirm_yes", "确认执行", "Confirm"),
    ("confirm_no", "取消", "Cancel"),
    ("done", "已完成：", "Done:"),
    ("none", "无。", "None."),
    ("not_found", "未找到", "Not found"),
    ("all", "全部", "All"),
    ("next_page", "下一页", "Next page"),
    ("first_page", "第一页", "First page"),
    ("download", "下载", "Download"),
    ("show_xml", "显示 XML", "Show the XML"),
    ("search", "查询", "Search"),
    // dashboard
    ("window", "时间范围", "Time window"),
    ("numbers", "数据表", "The numbers"),
    ("download_csv", "下载 CSV", "Download CSV"),
    ("no_such_chart", "没有这个图表：", "No such chart:"),
    ("hour", "小时", "Hour"),
    ("code", "代码", "Code"),
    ("count", "数量", "Count"),
    ("messages", "报文", "Messages"),
    ("accepted", "接受", "Accepted"),
    ("rejected", "拒绝", "Rejected"),
    ("quota_single", "超单次限值", "Over the single limit"),
    ("quota_annual", "超年度限值", "Over the annual limit"),
    ("latency_avg", "平均时延（毫秒）", "Mean latency (ms)"),
    ("latency_max", "最大时延（毫秒）", "Max latency (ms)"),
    ("chart_messages", "每小时报文（按进出口）", "Messages per hour (import/export)"),
    (
        "chart_messages_desc",
        "每小时收到的报文数，按进口、出口分段。",
        "Messages received per hour, stacked by import and export.",
    ),
    ("chart_lists", "每小时清单（按监管方式）", "Lists per hour by mode"),
    (
        "chart_lists_desc",
        "每小时收到的清单数，按监管方式（9610、1210、9710、9810）及进出口分段。",
        "Lists received per hour, stacked by mode (9610, 1210, 9710, 9810) and direction.",
    ),
    ("chart_outcomes", "接受与拒绝", "Accepted and rejected"),
    ("chart_outcomes_desc", "每小时报文的接受数与拒绝数。", "Messages accepted and rejected per hour."),
    ("chart_rejections", "主要拒绝代码", "Top rejection codes"),
    (
        "chart_rejections_desc",
        "时间范围内拒绝报文最多的回执代码。",
        "The return codes that refused most messages in the window.",
    ),
    ("chart_quota", "限值拒绝", "Quota refusals"),
    (
        "chart_quota_desc",
        "每小时因超单次或年度限值被拒绝的清单数。",
        "Lists refused per hour for the single or annual limit.",
    ),
    ("chart_latency", "吞吐量与时延", "Throughput and latency"),
    (
        "chart_latency_desc",
        "每小时报文的平均受理时延（从收到到决定，毫秒）。",
        "Mean intake latency per hour (from arrival to decision, ms).",
    ),
    ("gauge_pending", "待匹配清单", "Lists pending matching"),
    ("gauge_review", "人工审核中", "In manual review"),
    ("gauge_inspection", "查验中", "In inspection"),
    ("gauge_detained", "扣留中", "Detained"),
    ("gauge_warnings", "生效的风险警示", "Risk warnings in force"),
    ("gauge_messages", "报文总数", "Messages"),
    ("gauge_accepted_rate", "接受率", "Acceptance rate"),
    ("gauge_rejected_rate", "拒绝率", "Rejection rate"),
    ("gauge_quota", "限值拒绝", "Quota refusals"),
    // queues
    ("queue_applications", "待审批申请", "Applications awaiting approval"),
    ("queue_warehouses", "海外仓备案", "Overseas warehouse filings"),
    ("queue_lists", "清单", "Lists"),
    ("queue_manual_review", "人工审核", "Manual review"),
    ("queue_inspection", "查验", "Inspection"),
    ("queue_detained_clearance", "扣留（移交通关）", "Detained (clearance)"),
    ("queue_detained_anti_smuggling", "扣留（移交缉私）", "Detained (anti-smuggling)"),
    ("queue_detained_legal", "扣留（移交法规）", "Detained (legal)"),
    ("queue_detained_other", "其他扣留", "Other detention"),
    ("queue_orders", "逾期未回复的监管指令", "Orders awaiting follow-up"),
    ("kind", "种类", "Kind"),
    ("enterprise", "企业", "Enterprise"),
    ("submitted_by", "提交人", "Submitted by"),
    ("submitted_at", "提交时间", "Submitted at"),
    ("reason", "理由", "Reason"),
    ("the_change", "变更内容（左：现备案；右：申请）", "The change (left: filed now; right: requested)"),
    ("filed_now", "现备案", "Filed now"),
    ("requested", "申请变更为", "Requested"),
    ("decide", "审批", "Decide"),
    ("approve", "批准", "Approve"),
    ("reject", "驳回", "Reject"),
    ("effect", "效果", "Effect"),
    (
        "effect_approve",
        "批准申请：按现行备案规则再次校验后生效（变更企业备案、许可、证书或海外仓）。",
        "Approve: the filing rules run again on today's data, then the change takes effect.",
    ),
    ("effect_reject", "驳回申请，理由将告知企业。", "Reject: the enterprise is told the reason."),
    ("order", "指令", "Order"),
    ("overdue_hours", "逾期（小时）", "Overdue (hours)"),
    ("business_key", "业务编号", "Business key"),
    ("updated_at", "更新时间", "Updated at"),
    ("created_at", "创建时间", "Created at"),
    // statuses
    ("status_declaring", "申报中", "Declaring"),
    ("status_rejected", "退单", "Rejected"),
    ("status_accepted", "入库", "Accepted"),
    ("status_manual_review", "人工审核", "Manual review"),
    ("status_concluded", "审结", "Concluded"),
    ("status_inspection", "查验", "Inspection"),
    ("status_detained_clearance", "扣留移交通关", "Detained (clearance)"),
    ("status_detained_anti_smuggling", "扣留移交缉私", "Detained (anti-smuggling)"),
    ("status_detained_legal", "扣留移交法规", "Detained (legal)"),
    ("status_detained_other", "其他扣留", "Other detention"),
    ("status_transferred", "转关", "Transferred"),
    ("status_suspended", "挂起", "Suspended"),
    ("status_returned", "退运", "Returned"),
    ("status_released", "放行", "Released"),
    ("status_closed", "结关", "Closed"),
    ("status_cancelled", "已撤销", "Cancelled"),
    // documents
    ("action", "操作", "Action"),
    ("actions", "操作", "Actions"),
    ("no_actions", "该状态下没有可执行的操作。", "No action applies in this status."),
    ("act_review", "转人工审核", "Hold for review"),
    ("act_inspect", "布控查验", "Order inspection"),
    ("act_inspection_passed", "查验通过（放行）", "Record inspection passed (release)"),
    ("act_release", "放行", "Release"),
    ("act_detain", "扣留（查验未通过）", "Detain (inspection failed)"),
    ("act_return_goods", "退运", "Return the goods"),
    ("act_reject", "退单", "Reject"),
    ("act_close", "结关", "Close"),
    ("detain_code", "扣留代码", "Detention code"),
    (
        "effect_receipt",
        "单证状态将按状态表变更，并向相关企业发送回执。",
        "The document moves by the status table and a receipt is sent to the enterprises concerned.",
    ),
    ("mismatches", "三单比对差异", "Three-order mismatches"),
    (
        "mismatch_none",
        "与订单、支付单、运单逐字段比对一致。",
        "Every field agrees with the order, payment and waybill.",
    ),
    (
        "mismatch_not_compared",
        "未比对：订单、支付单或运单尚未到齐（或此单证不参与三单比对）。",
        "Not compared: the order, payment or waybill is missing (or this document is not matched).",
    ),
    ("mismatch_found", "不一致", "Mismatch"),
    ("mismatch_expected", "依据", "Expected from here"),
    ("expected", "应为", "Expected"),
    ("expected_from", "依据字段", "Expected from"),
    ("found", "实际", "Found"),
    ("documents_linked", "关联单证", "Linked documents"),
    ("documents_other", "其他关联单证", "Other linked documents"),
    ("side_by_side", "清单与订单、支付单、运单对照", "The list beside its order, payment and waybill"),
    ("missing", "未到", "missing"),
    ("risk_decision", "风险判别", "Risk decision"),
    ("risk_none", "无风险判别记录。", "No risk decision recorded."),
    ("risk_lane", "通道", "Lane"),
    ("risk_refused", "拒绝入境", "Entry refused"),
    ("risk_rules_version", "规则集版本", "Rule set version"),
    ("risk_seed", "随机种子", "Seed"),
    ("risk_draw", "随机抽中", "Random draw"),
    ("risk_red_rate", "红色比率", "red rate"),
    ("risk_yellow_rate", "黄色比率", "yellow rate"),
    ("risk_no_rule", "没有规则命中。", "No rule fired."),
    ("risk_rules_fired", "命中的规则", "Rules fired"),
    ("risk_rule", "规则", "Rule"),
    ("risk_warnings_hit", "命中的风险警示", "Warnings hit"),
    ("tax_bill", "税单", "Tax bill"),
    ("tax_none", "尚未生成税单。", "No tax bill issued."),
    ("at", "时间", "At"),
    ("from", "原状态", "From"),
    ("to", "新状态", "To"),
    ("event", "事件", "Event"),
    ("actor", "操作人", "Actor"),
    ("receipts", "已发送回执", "Receipts sent"),
    ("issued_at", "发送时间", "Issued at"),
    ("signature", "电子签名", "Signature"),
    ("sig_algorithm", "签名算法", "Algorithm"),
    ("sig_subject", "证书主题", "Certificate subject"),
    ("sig_serial", "证书序列号", "Certificate serial"),
    ("sig_issuer", "证书颁发者", "Certificate issuer"),
    ("sig_verified_at", "验签时间（受理时）", "Verified at (on intake)"),
    ("sig_now", "重新验签", "Verified again now"),
    ("sig_valid", "有效", "valid"),
    ("sig_absent", "报文未签名。", "The message is not signed."),
    ("sig_invalid", "签名验证失败：", "The signature does not verify:"),
    ("raw_xml", "原始报文", "Raw XML"),
    // enterprises
    ("name_starts", "企业名称（开头）", "Enterprise name (starts with)"),
    ("customs_code", "海关编码", "Customs code"),
    ("version", "版本", "Version"),
    ("filed_at", "备案时间", "Filed at"),
    ("violations", "违规记录", "Violations on record"),
    ("record", "备案信息", "Filed record"),
    ("traffic_days", "近 7 天报文", "Messages in the last 7 days"),
    ("versions", "备案版本", "Versions"),
    ("certificates", "签名证书", "Certificates"),
    ("monitoring_orders", "监管指令", "Monitoring orders"),
    ("documents_latest", "最近单证", "Latest documents"),
    // risk
    ("risk_warnings", "风险警示与控制措施", "Risk warnings and control measures"),
    ("risk_sampling", "抽样与检测结果", "Sampling and test results"),
    ("rule_sets", "规则集", "Rule sets"),
    ("rule_set", "规则集", "Rule set"),
    ("rules", "规则", "Rules"),
    ("rules_count", "规则数", "Rules"),
    ("uploaded_by", "上传人", "Uploaded by"),
    ("uploaded_at", "上传时间", "Uploaded at"),
    ("decided_by", "决定人", "Decided by"),
    ("rules_new", "上传新规则集（草稿）", "Upload a rule set (draft)"),
    ("rules_edit", "编辑为新草稿", "Edit as a new draft"),
    ("rules_file", "规则文件（TOML）", "Rule file (TOML)"),
    (
        "rules_hint",
        "保存为草稿；修改后请提升 version。草稿须由上传人以外的主管批准后生效。",
        "Stored as a draft; bump its version when you change it. A supervisor other than the uploader activates it.",
    ),
    ("rules_upload", "保存草稿", "Save as draft"),
    ("dry_run", "试运行", "Dry run"),
    ("dry_run_limit", "最近清单数", "Most recent lists"),
    ("dry_run_candidate", "候选规则集", "Candidate"),
    ("dry_run_active", "现行规则集", "Active rule set"),
    ("dry_run_subjects", "评估清单数", "Lists evaluated"),
    ("dry_run_changed", "通道变化的清单", "Lists whose lane changes"),
    ("dry_run_candidate_lanes", "候选规则集的通道分布", "Lanes under the candidate"),
    ("dry_run_active_lanes", "现行规则集的通道分布", "Lanes under the active rule set"),
    ("dry_run_rules", "各规则命中", "Hits per rule"),
    ("dry_run_changes", "通道变化示例", "Examples of changes"),
    ("activate", "批准并启用", "Approve and activate"),
    ("note", "备注", "Note"),
    (
        "four_eyes",
        "双人原则：上传人不能审批自己的规则集。",
        "Four eyes: the uploader cannot decide their own rule set.",
    ),
    ("effect_upload", "将以下规则文件保存为草稿：", "Store this rule file as a draft:"),
    (
        "effect_activate",
        "启用该规则集：现行规则集将退役，此后的清单按新规则判别。",
        "Activate this rule set: the active one is retired and later lists are decided by it.",
    ),
    ("effect_reject_rules", "驳回该草稿。", "Reject this draft."),
    ("severity", "严重程度", "Severity"),
    ("severity_low", "低", "Low"),
    ("severity_medium", "中", "Medium"),
    ("severity_high", "高", "High"),
    ("severity_critical", "严重", "Critical"),
    ("measure", "控制措施", "Control measure"),
    ("measure_hold_for_inspection", "暂扣查验", "Hold for inspection"),
    ("measure_full_inspection", "100% 查验", "Inspect every list"),
    ("measure_refuse_entry", "拒绝入境", "Refuse entry"),
    ("scope", "范围", "Scope"),
    ("scope_hs", "商品编码（前缀）", "HS code (prefix)"),
    ("scope_product", "商品名称含", "Goods name contains"),
    ("scope_brand", "品牌型号含", "Brand/model contains"),
    ("scope_enterprise", "企业代码", "Enterprise code"),
    ("scope_origin", "原产国（3 位代码）", "Origin country (3-digit code)"),
    ("valid_days", "有效天数", "Valid for (days)"),
    ("finding", "发现的问题", "Finding"),
    ("warning_new", "根据发现发布风险警示", "Raise a warning on a finding"),
    ("warning_raise", "发布警示", "Raise the warning"),
    (
        "effect_warning",
        "发布风险警示，其控制措施自下一份清单起生效：",
        "Raise a warning; its measure applies from the next list:",
    ),
    ("lift", "解除", "Lift"),
    (
        "effect_lift",
        "解除该风险警示，自下一份清单起不再适用：",
        "Lift this warning; it no longer applies from the next list:",
    ),
    ("sampling_plans", "抽样计划", "Sampling plans"),
    ("test_results", "检测结果", "Test results"),
    // search
    ("search_label", "业务编号", "Business key"),
    (
        "search_hint",
        "订单编号、物流运单编号、清单编号、企业内部编号、支付交易编号、订购人证件号码、企业海关编码或统一社会信用代码、企业名称开头。",
        "orderNo, logisticsNo, invtNo, copNo, payTransactionId, the buyer's ID number, an enterprise's customs code or USCC, or the start of its name.",
    ),
    ("documents_found", "匹配的单证", "Matching documents"),
    ("documents_naming", "涉及该企业的最近单证", "Latest documents naming the enterprise"),
];

#[cfg(test)]
mod tests {
    use super::super::{Lang, TEXTS, t};
    use super::OFFICER;

    /// Every key the workbench's sources ask for exists in both languages.
    #[test]
    fn every_key_used_has_both_languages() {
        let sources = [
            include_str!("dashboard.rs"),
            include_str!("documents.rs"),
            include_str!("enterprises.rs"),
            include_str!("officer.rs"),
            include_str!("queues.rs"),
            include_str!("risk.rs"),
            include_str!("search.rs"),
        ];
        let mut keys: Vec<String> = Vec::new();
        for src in sources {
            for pat in ["t(\"", "t(lang, \"", "row(\""] {
                for (i, _) in src.match_indices(pat) {
                    // `t(` itself, not the end of another name (`get(`).
                    let before = src[..i].chars().next_back();
                    if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                        continue;
                    }
                    let rest = &src[i + pat.len()..];
                    if let Some(end) = rest.find('"') {
                        keys.push(rest[..end].to_string());
                    }
                }
            }
        }
        // Keys built at run time.
        for s in cbec_clearance::Status::ALL {
            keys.push(format!("status_{}", s.name()));
        }
        for s in super::super::queues::LIST_STATUSES {
            keys.push(format!("queue_{s}"));
        }
        for k in keys.iter().filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')) {
            assert_ne!(t(Lang::Zh, k), "?", "no text for {k:?}");
            assert_ne!(t(Lang::En, k), "?", "no text for {k:?}");
        }
        for (key, zh, en) in OFFICER {
            assert!(!zh.is_empty() && !en.is_empty(), "{key}");
            assert!(!TEXTS.iter().any(|(k, _, _)| k == key), "{key} is in both tables");
        }
        let mut seen: Vec<&str> = OFFICER.iter().map(|(k, _, _)| *k).collect();
        seen.sort_unstable();
        let n = seen.len();
        seen.dedup();
        assert_eq!(seen.len(), n, "a key is defined twice");
    }
}
