//! The field names of the CEB spec in both languages (the Chinese name of
//! the spec and its element name, e.g. "订单编号 orderNo"), and the
//! flattening of JSON records into `path → value` rows for tables and
//! side-by-side comparisons.

use std::collections::BTreeMap;

use serde_json::Value;

use super::escape;

/// Element name → Chinese name, for the fields shown on the pages.
const NAMES: &[(&str, &str)] = &[
    ("orderNo", "订单编号"),
    ("ebpCode", "电商平台代码"),
    ("ebcCode", "电商企业代码"),
    ("logisticsCode", "物流企业代码"),
    ("logisticsNo", "物流运单编号"),
    ("copNo", "企业内部编号"),
    ("preNo", "电子口岸标识编号"),
    ("invtNo", "清单编号"),
    ("assureCode", "担保企业编号"),
    ("agentCode", "申报企业代码"),
    ("customsCode", "申报地海关代码"),
    ("portCode", "口岸海关代码"),
    ("tradeMode", "贸易方式"),
    ("emsNo", "账册编号"),
    ("areaCode", "区内企业代码"),
    ("buyerName", "订购人姓名"),
    ("buyerIdNumber", "订购人证件号码"),
    ("buyerIdType", "订购人证件类型"),
    ("buyerRegNo", "订购人注册号"),
    ("buyerTelephone", "订购人电话"),
    ("freight", "运费"),
    ("insuredFee", "保价费"),
    ("country", "起运国（地区）"),
    ("trafMode", "运输方式"),
    ("netWeight", "净重"),
    ("grossWeight", "毛重"),
    ("weight", "毛重"),
    ("packNo", "件数"),
    ("payCode", "支付企业代码"),
    ("payTransactionId", "支付交易编号"),
    ("payerIdNumber", "支付人证件号码"),
    ("payerName", "支付人姓名"),
    ("payerIdType", "支付人证件类型"),
    ("amountPaid", "支付金额"),
    ("goodsValue", "商品价格"),
    ("taxTotal", "代扣税款"),
    ("discount", "非现金抵扣金额"),
    ("acturalPaid", "实际支付金额"),
    ("currency", "币制"),
    ("consignee", "收货人姓名"),
    ("consigneeAddress", "收货地址"),
    ("consigneeTelephone", "收货人电话"),
    ("statisticsFlag", "申报业务类型"),
    ("ownerCode", "生产销售单位代码"),
    ("licenseNo", "许可证号"),
    ("orderType", "电子订单类型"),
    ("appType", "申报类型"),
    ("gnum", "商品序号"),
    ("gcode", "商品编码"),
    ("gname", "商品名称"),
    ("qty", "数量"),
    ("unit", "计量单位"),
    ("price", "单价"),
    ("totalPrice", "总价"),
    ("itemNo", "企业商品货号"),
    ("note", "备注"),
    ("sender", "发送方"),
    ("returnStatus", "回执状态"),
    ("returnInfo", "回执信息"),
    ("name", "名称"),
    ("nameEn", "英文名称"),
    ("uscc", "统一社会信用代码"),
    ("address", "地址"),
    ("contact", "联系人"),
    ("telephone", "电话"),
    ("customsDistrict", "所属海关"),
    ("dxpId", "传输节点"),
    ("types", "企业类型"),
    ("trade", "进出口类型"),
    ("b2bExport", "B2B直接出口"),
    ("kind", "种类"),
    ("number", "编号"),
    ("issuer", "签发机关"),
    ("scope", "范围"),
    ("validFrom", "有效期起"),
    ("validTo", "有效期止"),
    ("area_m2", "面积（平方米）"),
    ("nature", "性质"),
    ("document", "证明文件"),
    ("operator", "经营者"),
];

/// `order_no` → `orderNo` (the element name of a facts field).
pub(crate) fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The field's label in both languages, as HTML: the Chinese name of the
/// spec (when known) and the element name.
pub(crate) fn label(field: &str) -> String {
    let element = if field.contains('_') && field != "area_m2" { camel(field) } else { field.to_string() };
    match NAMES.iter().find(|(e, _)| *e == element) {
        Some((_, zh)) => format!("<span lang=\"zh-CN\">{zh}</span> <code>{}</code>", escape(&element)),
        None => format!("<code>{}</code>", escape(&element)),
    }
}

/// A JSON value as `path → text` rows: objects by key (`a.b`), arrays by
/// 1-based position (`items[2].qty`), scalars as text (`null` as empty).
pub(crate) fn flatten(value: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    walk(value, String::new(), &mut out);
    out
}

fn walk(value: &Value, path: String, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                walk(v, p, out);
            }
        }
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
            out.insert(path, items.iter().map(scalar).collect::<Vec<_>>().join(", "));
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, format!("{path}[{}]", i + 1), out);
            }
        }
        other => {
            out.insert(path, scalar(other));
        }
    }
}

/// A scalar as text.
pub(crate) fn scalar(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The label of a flattened path: the last element's name in both
/// languages, after the path before it.
pub(crate) fn path_label(path: &str) -> String {
    match path.rsplit_once('.') {
        Some((head, last)) => format!("<span class=\"path\">{}.</span>{}", escape(head), label(last)),
        None => label(path),
    }
}

/// A two-column comparison of two records (`None`: it does not exist
/// yet), every row that differs marked. The rows: every path of either.
pub(crate) fn diff_table(
    id: &str,
    left_title: &str,
    left: Option<&Value>,
    right_title: &str,
    right: &Value,
    field_title: &str,
) -> String {
    let l = left.map(flatten).unwrap_or_default();
    let r = flatten(right);
    let mut paths: Vec<&String> = l.keys().chain(r.keys()).collect();
    paths.sort();
    paths.dedup();
    let mut s = format!(
        "<table class=\"diff\" id=\"{id}\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th></tr></thead><tbody>",
        escape(field_title),
        escape(left_title),
        escape(right_title)
    );
    for p in paths {
        let (a, b) = (l.get(p), r.get(p));
        let changed = a != b;
        let class = if changed { " class=\"changed\"" } else { "" };
        let mark = if changed { "<span class=\"sr-only\">(changed) </span>" } else { "" };
        s.push_str(&format!(
            "<tr{class}><th scope=\"row\">{mark}{}</th><td>{}</td><td>{}</td></tr>",
            path_label(p),
            escape(a.map_or("", String::as_str)),
            escape(b.map_or("", String::as_str)),
        ));
    }
    s.push_str("</tbody></table>");
    s
}

/// A table of JSON records, one row each, a column per field (flattened,
/// sorted by path); `cell` shows a value (already escaped) of a column.
pub(crate) fn records_table(id: &str, items: &[Value], cell: impl Fn(&str, &str) -> String) -> super::html::Table {
    let rows: Vec<BTreeMap<String, String>> = items.iter().map(flatten).collect();
    let mut cols: Vec<&String> = rows.iter().flat_map(BTreeMap::keys).collect();
    cols.sort();
    cols.dedup();
    let labels: Vec<String> = cols.iter().map(|c| path_label(c)).collect();
    let mut table = super::html::Table::new("list", id).head(&labels);
    for r in &rows {
        let cells: Vec<String> = cols.iter().map(|c| cell(c, r.get(*c).map_or("", String::as_str))).collect();
        table.row(&cells);
    }
    table
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn labels_carry_both_names() {
        assert_eq!(camel("buyer_id_number"), "buyerIdNumber");
        assert_eq!(label("order_no"), "<span lang=\"zh-CN\">订单编号</span> <code>orderNo</code>");
        assert_eq!(label("invtNo"), "<span lang=\"zh-CN\">清单编号</span> <code>invtNo</code>");
        assert_eq!(label("whatever_else"), "<code>whateverElse</code>");
    }

    #[test]
    fn records_flatten_and_differences_are_marked() {
        let a = json!({"name": "甲", "types": ["ebc", "ebp"], "lic": [{"no": 1}]});
        let b = json!({"name": "乙", "types": ["ebc", "ebp"], "lic": [{"no": 1}], "new": null});
        let f = flatten(&a);
        assert_eq!(f["types"], "ebc, ebp");
        assert_eq!(f["lic[1].no"], "1");
        let t = diff_table("d", "now", Some(&a), "asked", &b, "field");
        assert_eq!(t.matches("class=\"changed\"").count(), 2, "{t}"); // name, new
        let t = diff_table("d", "now", None, "asked", &b, "field");
        assert_eq!(t.matches("class=\"changed\"").count(), 4);
    }
}
