//! The field checker: a path under construction and typed checks that
//! report coded diagnostics.

use cbec_ceb::schema::{Schema, label_of};
use cbec_model::Decimal;
use cbec_model::codes::{self, TableId};
use cbec_model::diag::{Code, Diagnostic};
use cbec_model::ident::{AppTime, Date8, EnterpriseCode, Guid, HsCode, InvtNo, PrcIdNumber, PreNo};

pub(crate) struct Ck<'d> {
    pub schema: &'static Schema,
    pub diags: &'d mut Vec<Diagnostic>,
    path: String,
}

/// One fen: amounts that agree to within rounding are equal.
pub(crate) fn fen() -> Decimal {
    Decimal::new(1, 2)
}

impl<'d> Ck<'d> {
    pub fn new(schema: &'static Schema, diags: &'d mut Vec<Diagnostic>) -> Self {
        Ck { schema, diags, path: String::new() }
    }

    /// Runs `f` with `name[index]` appended to the path.
    pub fn at(&mut self, name: &str, index: Option<usize>, f: impl FnOnce(&mut Self)) {
        let len = self.path.len();
        if !self.path.is_empty() {
            self.path.push('/');
        }
        self.path.push_str(name);
        if let Some(i) = index {
            self.path.push_str(&format!("[{i}]"));
        }
        f(self);
        self.path.truncate(len);
    }

    pub fn path(&self, field: &str) -> String {
        if self.path.is_empty() { field.to_string() } else { format!("{}/{field}", self.path) }
    }

    /// `field (中文名)`.
    pub fn name(&self, field: &str) -> String {
        let label = label_of(self.schema, field.trim_start_matches('@'));
        if label.is_empty() { field.to_string() } else { format!("{field} ({label})") }
    }

    pub fn err(&mut self, code: Code, field: &str, value: &str, message: String) {
        let d = Diagnostic::new(code, self.path(field), message).with_value(value);
        self.diags.push(d);
    }

    // ---- formats ----

    pub fn guid(&mut self, field: &str, v: &str) {
        match Guid::parse(v) {
            Ok(g) if !g.is_upper_case() => {
                let msg = format!("{} should be upper case: {}", self.name(field), g.to_upper_case());
                self.err(Code::FormatGuidCase, field, v, msg);
            }
            Ok(_) => {}
            Err(e) => {
                let msg =
                    format!("{}: {e}; generate a UUID such as 4CDE1CFD-EDED-46B1-946C-B8022E42FC94", self.name(field));
                self.err(Code::FormatGuid, field, v, msg);
            }
        }
    }

    pub fn app_time(&mut self, field: &str, v: &str) {
        if let Err(e) = AppTime::parse(v) {
            let msg = format!("{}: {e}; write YYYYMMDDhhmmss, e.g. 20260127093000", self.name(field));
            self.err(Code::FormatDateTime14, field, v, msg);
        }
    }

    pub fn date8(&mut self, field: &str, v: &str) {
        if let Err(e) = Date8::parse(v) {
            let msg = format!("{}: {e}; write YYYYMMDD, e.g. 20260127", self.name(field));
            self.err(Code::FormatDate8, field, v, msg);
        }
    }

    pub fn enterprise(&mut self, field: &str, v: &str) {
        if let Err(e) = EnterpriseCode::parse(v) {
            let msg = format!(
                "{}: {e}; use the 10-character customs registration code or the 18-character unified social credit code",
                self.name(field)
            );
            self.err(Code::FormatEnterpriseCode, field, v, msg);
        }
    }

    /// `ebpCode` may also be "无" for a foreign platform without a code.
    pub fn platform(&mut self, field: &str, v: &str) {
        if EnterpriseCode::parse_ebp(v).is_err() {
            self.enterprise(field, v);
        }
    }

    pub fn opt_enterprise(&mut self, field: &str, v: Option<&String>) {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            self.enterprise(field, v);
        }
    }

    pub fn id_number(&mut self, field: &str, id_type: &str, v: &str) {
        if id_type != "1" {
            return;
        }
        if let Err(e) = PrcIdNumber::parse(v) {
            let msg = format!("{}: {e} (buyerIdType/payerIdType 1 means a PRC resident ID card)", self.name(field));
            self.err(Code::FormatIdNumber, field, v, msg);
        }
    }

    pub fn hs_code(&mut self, field: &str, v: &str) {
        if let Err(e) = HsCode::parse(v) {
            let msg =
                format!("{}: {e}; give the 10-digit commodity code (8-digit tariff line + 2 digits)", self.name(field));
            self.err(Code::FormatHsCode, field, v, msg);
        }
    }

    pub fn invt_no(&mut self, field: &str, v: Option<&String>) {
        let Some(v) = v.filter(|v| !v.is_empty()) else { return };
        if let Err(e) = InvtNo::parse(v) {
            let msg = format!(
                "{}: {e}; the form is customs code + year + I/E + serial, e.g. 37002026I000000001",
                self.name(field)
            );
            self.err(Code::FormatInvtNo, field, v, msg);
        }
    }

    pub fn pre_no(&mut self, field: &str, v: Option<&String>) {
        let Some(v) = v.filter(|v| !v.is_empty()) else { return };
        if let Err(e) = PreNo::parse(v) {
            let msg = format!("{}: {e}; the form is B + YYYYMMDD + 9-digit serial", self.name(field));
            self.err(Code::FormatPreNo, field, v, msg);
        }
    }

    // ---- code values ----

    pub fn one_of(&mut self, field: &str, v: &str, allowed: &[(&str, &str)]) {
        if !allowed.iter().any(|(c, _)| *c == v) {
            let list = allowed.iter().map(|(c, m)| format!("{c} ({m})")).collect::<Vec<_>>().join(", ");
            let msg = format!("{} must be one of {list}", self.name(field));
            self.err(Code::CodeUnknown, field, v, msg);
        }
    }

    pub fn table(&mut self, field: &str, v: &str, table: TableId) {
        if codes::table(table).contains(v) {
            return;
        }
        let what = match table {
            TableId::Currency => "currency code (币制, e.g. 142 CNY, 502 USD)",
            TableId::Country => "country code (国别, old 3-digit codes, e.g. 142 China, 116 Japan)",
            TableId::Unit => "unit code (计量单位, e.g. 007 piece, 035 kg)",
            TableId::TransportMode => "transport mode (运输方式, e.g. 5 air, 2 water, 4 road)",
            TableId::WrapType => "package type (包装种类, 1-7)",
            _ => "code",
        };
        let msg = format!("{}: '{v}' is not a known {what}", self.name(field));
        self.err(Code::CodeUnknown, field, v, msg);
    }

    pub fn opt_table(&mut self, field: &str, v: Option<&String>, table: TableId) {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            self.table(field, v, table);
        }
    }

    /// A customs district code: known itself, or within a known district
    /// (subordinate offices change the last two digits).
    pub fn customs(&mut self, field: &str, v: &str) {
        let known = codes::customs_district(v).is_some()
            || (v.len() == 4
                && v.bytes().all(|b| b.is_ascii_digit())
                && codes::customs_district(&format!("{}00", &v[..2])).is_some());
        if !known {
            let msg = format!(
                "{}: '{v}' is not a customs district code (4 digits, e.g. 5300 Shenzhen, 2244 Pudong airport)",
                self.name(field)
            );
            self.err(Code::CodeUnknown, field, v, msg);
        }
    }

    pub fn fixed(&mut self, field: &str, v: &str, want: &str, why: &str) {
        if v != want {
            let msg = format!("{} must be {want} {why}", self.name(field));
            self.err(Code::CodeNotAllowed, field, v, msg);
        }
    }

    // ---- arithmetic ----

    /// totalPrice = qty × price, to the fen.
    pub fn total_price(&mut self, qty: Decimal, price: Decimal, total: Decimal) {
        let Some(expected) = qty.checked_mul(price) else { return };
        if (expected - total).abs() >= fen() {
            let msg = format!("totalPrice (总价) is {total}, but qty {qty} × price {price} = {expected}");
            self.err(Code::ArithTotalPrice, "totalPrice", &total.to_string(), msg);
        }
    }

    /// gnum runs 1..n in order.
    pub fn gnums(&mut self, list: &str, gnums: impl Iterator<Item = i32>) {
        for (i, g) in gnums.enumerate() {
            let want = i32::try_from(i + 1).unwrap_or(i32::MAX);
            if g != want {
                let field = format!("{list}[{}]/gnum", i + 1);
                let msg =
                    format!("gnum (商品序号) must run 1, 2, 3… without gaps; item {} has {g}, expected {want}", i + 1);
                self.err(Code::ArithGnumSequence, &field, &g.to_string(), msg);
            }
        }
    }

    /// A quantity, weight or amount that must be greater than zero (`unit`
    /// is appended to the message, e.g. "kg").
    pub fn positive(&mut self, field: &str, v: Decimal, unit: &str) {
        if v <= Decimal::ZERO {
            let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
            let msg = format!("{} must be greater than 0{unit}", self.name(field));
            self.err(Code::FormatNumber, field, &v.to_string(), msg);
        }
    }

    pub fn msg_seq(&mut self, count: i32, seq: i32) {
        if count < 1 || seq < 1 || seq > count {
            let msg = format!("msgSeqNo (报文序号) {seq} must lie within 1..msgCount ({count})");
            self.err(Code::ArithMsgSequence, "msgSeqNo", &seq.to_string(), msg);
        }
    }

    pub fn placeholder_number(&mut self, field: &str, v: Decimal) {
        let s = v.to_string();
        if s.starts_with("123456789") {
            let msg = format!("{}: {s} is the placeholder of the official samples, not a real value", self.name(field));
            self.err(Code::PlaceholderValue, field, &s, msg);
        }
    }

    /// Texts that are placeholders in the official samples ("a", "aa",
    /// "b", "v", "aaa"): names, reasons and codes too short to be real.
    pub fn placeholder_text(&mut self, field: &str, v: &str) {
        let looks_fake = !v.is_empty() && v.chars().count() <= 3 && v.chars().all(|c| c.is_ascii_lowercase()) && {
            let first = v.chars().next();
            v.chars().all(|c| Some(c) == first)
        } || matches!(v, "b" | "v");
        if looks_fake {
            let msg = format!("{}: '{v}' is a placeholder, not a real value", self.name(field));
            self.err(Code::PlaceholderValue, field, v, msg);
        }
    }
}
