//! Generates `crates/cbec-ceb/src/generated/*.rs` from the official CEB XSDs
//! in `spec/xsd/`: the schema tables the validator walks and the typed
//! message structs with their XML decoders and encoders.
//!
//! Run `cargo run -p xsdgen` after changing the generator; the test
//! `generated_code_is_up_to_date` in cbec-ceb fails when the checked-in files
//! differ from what this program writes (`cargo run -p xsdgen -- --check`).
//!
//! The XSDs use a small subset of XML Schema: global and local element
//! declarations, `xs:sequence` with `minOccurs`/`maxOccurs`, restrictions of
//! `xs:string`, `xs:decimal` and `xs:int` with length, digits and whiteSpace
//! facets, `default`/`fixed` values, attributes, one `xs:any`, and the
//! terminal-node types (`simpleContent`, `xs:date`, `xs:dateTime`,
//! `xs:base64Binary`, `xs:ID`). Anything else is an error here, so a new
//! XSD feature cannot slip through unnoticed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use cbec_xml::{Document, Element, Limits};

const XS: &str = "http://www.w3.org/2001/XMLSchema";
const CEB_NS: &str = "http://www.chinaport.gov.cn/ceb";
const DXP_NS: &str = "http://www.chinaport.gov.cn/dxp";
const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

struct SchemaSrc {
    key: &'static str,
    file: &'static str,
    ns: &'static str,
    ns_const: &'static str,
    prefix: &'static str,
    /// Global elements that are message roots.
    is_root: fn(&str) -> bool,
}

const SCHEMAS: &[SchemaSrc] = &[
    SchemaSrc {
        key: "import",
        file: "ceb-import-202205.xsd",
        ns: CEB_NS,
        ns_const: "CEB_NS",
        prefix: "ceb",
        is_root: |n| n.starts_with("CEB") && n.ends_with("Message"),
    },
    SchemaSrc {
        key: "export",
        file: "ceb-export-202205.xsd",
        ns: CEB_NS,
        ns_const: "CEB_NS",
        prefix: "ceb",
        is_root: |n| n.starts_with("CEB") && n.ends_with("Message"),
    },
    SchemaSrc {
        key: "dxp",
        file: "ceb-terminal-node-202205.xsd",
        ns: DXP_NS,
        ns_const: "DXP_NS",
        prefix: "dxp",
        is_root: |n| n == "DxpMsg" || n == "DxpRep",
    },
];

#[derive(Clone, Debug, Default)]
struct Facets {
    base: &'static str,
    length: Option<u32>,
    min_length: Option<u32>,
    max_length: Option<u32>,
    total_digits: Option<u32>,
    fraction_digits: Option<u32>,
    collapse: bool,
}

#[derive(Clone, Debug)]
struct Part {
    decl: usize,
    min: u32,
    max: u32,
}

#[derive(Clone, Debug)]
struct AttrDef {
    name: String,
    required: bool,
    facets: Facets,
    fixed: Option<String>,
    label: String,
}

#[derive(Clone, Debug)]
enum Kind {
    Placeholder,
    Simple(Facets),
    Complex {
        parts: Vec<Part>,
        attrs: Vec<AttrDef>,
        text: Option<Facets>,
    },
    /// `ceb:XMLElement`: at most one element of any namespace, not validated.
    Any,
    /// An element without a type (`xs:anyType`).
    AnyType,
    /// `ds:Signature`.
    Signature,
}

#[derive(Clone, Debug)]
struct Decl {
    name: String,
    ns: &'static str,
    label: String,
    doc: String,
    kind: Kind,
    default: Option<String>,
    fixed: Option<String>,
    struct_name: Option<String>,
}

struct Gen<'d, 'a> {
    src: &'static SchemaSrc,
    globals: HashMap<String, Element<'d, 'a>>,
    types: HashMap<String, Element<'d, 'a>>,
    decls: Vec<Decl>,
    global_idx: HashMap<String, usize>,
    signature_idx: Option<usize>,
    struct_names: HashMap<String, usize>,
}

fn xs_children<'d, 'a>(e: Element<'d, 'a>) -> impl Iterator<Item = Element<'d, 'a>> {
    e.child_elements().filter(|c| c.namespace() == Some(XS) && c.local_name() != "annotation")
}

fn xs_child<'d, 'a>(e: Element<'d, 'a>, local: &str) -> Option<Element<'d, 'a>> {
    xs_children(e).find(|c| c.local_name() == local)
}

fn documentation(e: Element) -> String {
    e.child_elements()
        .find(|c| c.local_name() == "annotation")
        .and_then(|a| a.child_elements().find(|c| c.local_name() == "documentation"))
        .map(|d| d.text().trim().replace(['\n', '\r', '\t'], " "))
        .unwrap_or_default()
}

/// Chinese field names as the spec's field tables give them, for fields whose
/// XSD documentation does not start with the name.
const LABELS: &[(&str, &str)] = &[
    ("guid", "系统唯一序号"),
    ("appType", "企业报送类型"),
    ("appTime", "企业报送时间"),
    ("appStatus", "业务状态"),
    ("orderType", "电子订单类型"),
    ("orderNo", "订单编号"),
    ("ebpCode", "电商平台代码"),
    ("ebpName", "电商平台名称"),
    ("ebcCode", "电商企业代码"),
    ("ebcName", "电商企业名称"),
    ("agentCode", "申报企业代码"),
    ("agentName", "申报企业名称"),
    ("logisticsCode", "物流企业代码"),
    ("logisticsName", "物流企业名称"),
    ("logisticsNo", "物流运单编号"),
    ("payCode", "支付企业代码"),
    ("payName", "支付企业名称"),
    ("payTransactionId", "支付交易编号"),
    ("assureCode", "担保企业编号"),
    ("copNo", "企业内部编号"),
    ("preNo", "电子口岸标识编号"),
    ("invtNo", "清单编号"),
    ("customsCode", "申报地海关代码"),
    ("portCode", "口岸海关代码"),
    ("ieFlag", "进出口标记"),
    ("ieDate", "进出口日期"),
    ("declTime", "申报日期"),
    ("buyerIdType", "订购人证件类型"),
    ("buyerIdNumber", "订购人证件号码"),
    ("buyerName", "订购人姓名"),
    ("buyerTelephone", "订购人电话"),
    ("buyerRegNo", "订购人注册号"),
    ("consignee", "收货人姓名"),
    ("consigneeTelephone", "收货人电话"),
    ("consigneeAddress", "收货地址"),
    ("consigneeDistrict", "收货地址行政区划代码"),
    ("goodsValue", "商品价格"),
    ("freight", "运杂费"),
    ("discount", "非现金抵扣金额"),
    ("taxTotal", "代扣税款"),
    ("acturalPaid", "实际支付金额"),
    ("insuredFee", "保价费"),
    ("currency", "币制"),
    ("country", "国家(地区)"),
    ("gnum", "商品序号"),
    ("gcode", "商品编码"),
    ("gname", "商品名称"),
    ("gmodel", "规格型号"),
    ("itemNo", "企业商品货号"),
    ("itemName", "企业商品名称"),
    ("itemRecordNo", "账册备案料号"),
    ("itemDescribe", "企业商品描述"),
    ("barCode", "条形码"),
    ("qty", "数量"),
    ("qty1", "法定数量"),
    ("qty2", "第二数量"),
    ("unit", "计量单位"),
    ("unit1", "法定计量单位"),
    ("unit2", "第二计量单位"),
    ("price", "单价"),
    ("totalPrice", "总价"),
    ("tradeMode", "贸易方式"),
    ("trafMode", "运输方式"),
    ("trafNo", "运输工具编号"),
    ("trafName", "运输工具名称"),
    ("voyageNo", "航班航次号"),
    ("billNo", "提运单号"),
    ("loctNo", "监管场所代码"),
    ("licenseNo", "许可证件号"),
    ("wrapType", "包装种类代码"),
    ("packNo", "件数"),
    ("grossWeight", "毛重"),
    ("netWeight", "净重"),
    ("weight", "毛重"),
    ("emsNo", "账册编号"),
    ("areaCode", "区内企业代码"),
    ("areaName", "区内企业名称"),
    ("statisticsFlag", "申报业务类型"),
    ("POD", "指运港代码"),
    ("ownerCode", "生产销售单位代码"),
    ("ownerName", "生产销售单位名称"),
    ("iacCode", "区内企业代码"),
    ("iacName", "区内企业名称"),
    ("dxpId", "报文传输编号"),
    ("dxpMode", "报文传输模式"),
    ("copCode", "传输企业代码"),
    ("copName", "传输企业名称"),
    ("returnStatus", "回执状态"),
    ("returnTime", "回执时间"),
    ("returnInfo", "回执信息"),
    ("reason", "原因"),
    ("note", "备注"),
    ("msgCount", "报文总数"),
    ("msgSeqNo", "报文序号"),
    ("payerIdType", "支付人证件类型"),
    ("payerIdNumber", "支付人证件号码"),
    ("payerName", "支付人姓名"),
    ("amountPaid", "支付金额"),
    ("payTime", "支付时间"),
    ("operatorCode", "监管场所经营人代码"),
    ("operatorName", "监管场所经营人名称"),
    ("fFlag", "运费标志"),
    ("iFlag", "保费标志"),
    ("fCurrency", "运费币制"),
    ("iCurrency", "保费币制"),
    ("version", "报文版本号"),
];

/// The short Chinese field name: the documentation up to its first
/// punctuation.
fn label_of(doc: &str) -> String {
    let end = doc
        .char_indices()
        .find(|&(_, c)| {
            matches!(c, '。' | '，' | ',' | '：' | ':' | '（' | '(' | ' ' | '；' | ';' | '.' | '、' | '-' | '－')
        })
        .map_or(doc.len(), |(i, _)| i);
    doc[..end].chars().take(24).collect()
}

fn occurs(e: Element, attr: &str) -> Result<u32> {
    match e.attribute(attr) {
        None => Ok(1),
        Some("unbounded") => Ok(u32::MAX),
        Some(v) => v.parse().with_context(|| format!("bad {attr}={v}")),
    }
}

fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    match out.as_str() {
        "type" | "ref" | "mod" | "use" | "in" | "fn" | "match" | "loop" => format!("r#{out}"),
        _ => out,
    }
}

impl<'d, 'a> Gen<'d, 'a> {
    fn new(src: &'static SchemaSrc, schema: Element<'d, 'a>) -> Self {
        let mut globals = HashMap::new();
        let mut types = HashMap::new();
        for c in xs_children(schema) {
            let Some(name) = c.attribute("name") else { continue };
            match c.local_name() {
                "element" => {
                    globals.insert(name.to_string(), c);
                }
                "complexType" | "simpleType" => {
                    types.insert(name.to_string(), c);
                }
                _ => {}
            }
        }
        Gen {
            src,
            globals,
            types,
            decls: Vec::new(),
            global_idx: HashMap::new(),
            signature_idx: None,
            struct_names: HashMap::new(),
        }
    }

    fn global(&mut self, name: &str) -> Result<usize> {
        if let Some(&i) = self.global_idx.get(name) {
            return Ok(i);
        }
        let node = *self.globals.get(name).ok_or_else(|| anyhow!("no global element {name}"))?;
        let idx = self.push_placeholder(name);
        self.global_idx.insert(name.to_string(), idx);
        self.fill(idx, node, name)?;
        Ok(idx)
    }

    fn signature(&mut self) -> usize {
        if let Some(i) = self.signature_idx {
            return i;
        }
        let idx = self.decls.len();
        self.decls.push(Decl {
            name: "Signature".into(),
            ns: DS_NS,
            label: "电子签名".into(),
            doc: "XML-DSig enveloped signature (xmldsig-core-schema.xsd)".into(),
            kind: Kind::Signature,
            default: None,
            fixed: None,
            struct_name: None,
        });
        self.signature_idx = Some(idx);
        idx
    }

    fn push_placeholder(&mut self, name: &str) -> usize {
        self.decls.push(Decl {
            name: name.into(),
            ns: self.src.ns,
            label: String::new(),
            doc: String::new(),
            kind: Kind::Placeholder,
            default: None,
            fixed: None,
            struct_name: None,
        });
        self.decls.len() - 1
    }

    fn unique_struct_name(&mut self, want: String, idx: usize) -> String {
        if let Some(&other) = self.struct_names.get(&want)
            && other != idx
        {
            let mut n = 2;
            loop {
                let cand = format!("{want}{n}");
                if !self.struct_names.contains_key(&cand) {
                    self.struct_names.insert(cand.clone(), idx);
                    return cand;
                }
                n += 1;
            }
        }
        self.struct_names.insert(want.clone(), idx);
        want
    }

    /// Declaration of a particle `<xs:element …>` inside a sequence.
    fn particle(&mut self, e: Element<'d, 'a>, parent_struct: &str) -> Result<Part> {
        let min = occurs(e, "minOccurs")?;
        let max = occurs(e, "maxOccurs")?;
        let decl = if let Some(r) = e.attribute("ref") {
            let (prefix, local) = r.split_once(':').unwrap_or(("", r));
            let ns = e.lookup_namespace(prefix);
            if ns == Some(DS_NS) && local == "Signature" {
                self.signature()
            } else if ns == Some(self.src.ns) {
                self.global(local)?
            } else {
                bail!("unsupported ref {r}")
            }
        } else {
            let name = e.attribute("name").ok_or_else(|| anyhow!("element without name or ref"))?;
            let idx = self.push_placeholder(name);
            let trimmed = parent_struct.strip_suffix("Message").unwrap_or(parent_struct);
            self.fill(idx, e, &format!("{trimmed}{name}"))?;
            idx
        };
        Ok(Part { decl, min, max })
    }

    fn fill(&mut self, idx: usize, e: Element<'d, 'a>, struct_hint: &str) -> Result<()> {
        let name = e.attribute("name").unwrap_or_default().to_string();
        let doc = documentation(e);
        let default = e.attribute("default").map(str::to_string);
        let fixed = e.attribute("fixed").map(str::to_string);
        let kind;
        let mut struct_name = None;
        if let Some(t) = e.attribute("type") {
            let (prefix, local) = t.split_once(':').unwrap_or(("", t));
            let ns = e.lookup_namespace(prefix);
            if ns == Some(XS) {
                kind = Kind::Simple(builtin(local)?);
            } else if ns == Some(self.src.ns) {
                let ty = *self.types.get(local).ok_or_else(|| anyhow!("no type {t}"))?;
                if local == "XMLElement" {
                    kind = Kind::Any;
                } else if ty.local_name() == "simpleType" {
                    kind = Kind::Simple(self.simple_type(ty)?);
                } else {
                    let sn = self.unique_struct_name(local.to_string(), idx);
                    let (k, is_struct) = self.complex(ty, &sn)?;
                    kind = k;
                    if is_struct {
                        struct_name = Some(sn);
                    }
                }
            } else {
                bail!("unsupported type {t}");
            }
        } else if let Some(st) = xs_child(e, "simpleType") {
            kind = Kind::Simple(self.simple_type(st)?);
        } else if let Some(ct) = xs_child(e, "complexType") {
            let want = if self.globals.contains_key(&name) && self.global_idx.get(&name) == Some(&idx) {
                name.clone()
            } else {
                struct_hint.to_string()
            };
            let sn = self.unique_struct_name(want, idx);
            let (k, is_struct) = self.complex(ct, &sn)?;
            kind = k;
            if is_struct {
                struct_name = Some(sn);
            }
        } else {
            kind = Kind::AnyType;
        }
        let d = &mut self.decls[idx];
        d.name = name;
        d.label = LABELS.iter().find(|(n, _)| *n == d.name).map_or_else(|| label_of(&doc), |(_, l)| l.to_string());
        d.doc = doc;
        d.kind = kind;
        d.default = default;
        d.fixed = fixed;
        d.struct_name = struct_name;
        Ok(())
    }

    fn simple_type(&mut self, st: Element<'d, 'a>) -> Result<Facets> {
        let r = xs_child(st, "restriction").ok_or_else(|| anyhow!("simpleType without restriction"))?;
        let base = r.attribute("base").ok_or_else(|| anyhow!("restriction without base"))?;
        let (prefix, local) = base.split_once(':').unwrap_or(("", base));
        let mut f = if r.lookup_namespace(prefix) == Some(XS) {
            builtin(local)?
        } else {
            let ty = *self.types.get(local).ok_or_else(|| anyhow!("no simple type {base}"))?;
            self.simple_type(ty)?
        };
        for facet in xs_children(r) {
            let v = facet.attribute("value").unwrap_or_default();
            let num = || v.parse::<u32>().with_context(|| format!("bad facet value {v}"));
            match facet.local_name() {
                "length" => f.length = Some(num()?),
                "minLength" => f.min_length = Some(num()?),
                "maxLength" => f.max_length = Some(num()?),
                "totalDigits" => f.total_digits = Some(num()?),
                "fractionDigits" => f.fraction_digits = Some(num()?),
                "whiteSpace" if v == "collapse" => f.collapse = true,
                other => bail!("unsupported facet {other}={v}"),
            }
        }
        Ok(f)
    }

    /// Returns the kind and whether it needs a struct.
    fn complex(&mut self, ct: Element<'d, 'a>, struct_name: &str) -> Result<(Kind, bool)> {
        let mut parts = Vec::new();
        let mut attrs = Vec::new();
        let mut text = None;
        for c in xs_children(ct) {
            match c.local_name() {
                "sequence" => {
                    for p in xs_children(c) {
                        match p.local_name() {
                            "element" => parts.push(self.particle(p, struct_name)?),
                            "any" => return Ok((Kind::Any, false)),
                            other => bail!("unsupported sequence member {other}"),
                        }
                    }
                }
                "attribute" => attrs.push(self.attribute(c)?),
                "simpleContent" => {
                    let ext = xs_child(c, "extension").ok_or_else(|| anyhow!("simpleContent without extension"))?;
                    let base = ext.attribute("base").unwrap_or_default();
                    let (prefix, local) = base.split_once(':').unwrap_or(("", base));
                    text = Some(if ext.lookup_namespace(prefix) == Some(XS) {
                        builtin(local)?
                    } else {
                        let ty = *self.types.get(local).ok_or_else(|| anyhow!("no type {base}"))?;
                        self.simple_type(ty)?
                    });
                    for a in xs_children(ext) {
                        attrs.push(self.attribute(a)?);
                    }
                }
                other => bail!("unsupported complexType member {other}"),
            }
        }
        if parts.is_empty()
            && attrs.is_empty()
            && let Some(t) = text
        {
            return Ok((Kind::Simple(t), false));
        }
        Ok((Kind::Complex { parts, attrs, text }, true))
    }

    fn attribute(&mut self, a: Element<'d, 'a>) -> Result<AttrDef> {
        let name = a.attribute("name").ok_or_else(|| anyhow!("attribute without name"))?.to_string();
        let facets = if let Some(t) = a.attribute("type") {
            let local = t.split_once(':').map_or(t, |(_, l)| l);
            builtin(local)?
        } else if let Some(st) = xs_child(a, "simpleType") {
            self.simple_type(st)?
        } else {
            builtin("string")?
        };
        let doc = documentation(a);
        Ok(AttrDef {
            name: name.clone(),
            required: a.attribute("use") == Some("required"),
            facets,
            fixed: a.attribute("fixed").map(str::to_string),
            label: LABELS
                .iter()
                .find(|(n, _)| *n == name.as_str())
                .map_or_else(|| label_of(&doc), |(_, l)| l.to_string()),
        })
    }
}

fn builtin(local: &str) -> Result<Facets> {
    let (base, collapse) = match local {
        "string" => ("String", false),
        "decimal" => ("Decimal", true),
        "int" => ("Int", true),
        "date" => ("Date", true),
        "dateTime" => ("DateTime", true),
        "base64Binary" => ("Base64", true),
        "ID" => ("Id", true),
        other => bail!("unsupported builtin type xs:{other}"),
    };
    Ok(Facets { base, collapse, ..Facets::default() })
}

// ---------------------------------------------------------------- emission

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn opt_u32(v: Option<u32>) -> String {
    v.map_or("None".into(), |v| format!("Some({v})"))
}

fn opt_str(v: &Option<String>) -> String {
    v.as_ref().map_or("None".into(), |v| format!("Some({})", lit(v)))
}

fn facets_expr(f: &Facets) -> String {
    format!(
        "SimpleType {{ base: Base::{}, length: {}, min_length: {}, max_length: {}, total_digits: {}, fraction_digits: {}, collapse: {} }}",
        f.base,
        opt_u32(f.length),
        opt_u32(f.min_length),
        opt_u32(f.max_length),
        opt_u32(f.total_digits),
        opt_u32(f.fraction_digits),
        f.collapse
    )
}

fn ns_const(ns: &str) -> &'static str {
    match ns {
        CEB_NS => "CEB_NS",
        DXP_NS => "DXP_NS",
        DS_NS => "DS_NS",
        _ => "UNKNOWN_NS",
    }
}

fn rust_leaf_type(f: &Facets) -> &'static str {
    match f.base {
        "Decimal" => "Decimal",
        "Int" => "i32",
        _ => "String",
    }
}

enum FieldTy {
    Leaf(&'static str),
    Struct(String),
    Raw,
}

fn field_ty(d: &Decl) -> FieldTy {
    match &d.kind {
        Kind::Simple(f) => FieldTy::Leaf(rust_leaf_type(f)),
        Kind::Complex { .. } => FieldTy::Struct(d.struct_name.clone().unwrap_or_default()),
        Kind::Any | Kind::AnyType | Kind::Signature | Kind::Placeholder => FieldTy::Raw,
    }
}

fn generate(root: &Path, src: &'static SchemaSrc) -> Result<String> {
    let path = root.join("spec/xsd").join(src.file);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let doc = Document::parse(&text, &Limits::default()).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let schema = doc.root();
    let mut g = Gen::new(src, schema);
    // Roots in document order.
    let mut root_names: Vec<String> = xs_children(schema)
        .filter(|c| c.local_name() == "element")
        .filter_map(|c| c.attribute("name").map(str::to_string))
        .filter(|n| (src.is_root)(n))
        .collect();
    root_names.sort();
    let mut roots = Vec::new();
    for r in &root_names {
        roots.push(g.global(r)?);
    }

    let mut o = String::new();
    writeln!(o, "// @generated by xsdgen from spec/xsd/{}. Do not edit by hand: run `cargo run -p xsdgen`.", src.file)?;
    writeln!(o, "#![allow(clippy::all, non_camel_case_types, unused_mut, unused_variables, unused_imports)]")?;
    writeln!(o, "use crate::codec::{{Cx, Decode, Encode, RawXml}};")?;
    writeln!(o, "use crate::schema::*;")?;
    writeln!(o, "use cbec_model::Decimal;")?;
    writeln!(o, "use cbec_xml::{{Element, XmlWriter}};")?;
    writeln!(o, "use serde::{{Deserialize, Serialize}};\n")?;

    // Tables.
    writeln!(o, "/// The `{}` schema ({}).", src.key, src.file)?;
    writeln!(
        o,
        "pub static SCHEMA: Schema = Schema {{ name: {}, xsd_file: {}, ns: {}, prefix: {}, elements: &ELEMENTS, roots: &[{}] }};\n",
        lit(src.key),
        lit(src.file),
        src.ns_const,
        lit(src.prefix),
        roots.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ")
    )?;
    writeln!(o, "pub static ELEMENTS: [ElementDecl; {}] = [", g.decls.len())?;
    for (i, d) in g.decls.iter().enumerate() {
        let content = match &d.kind {
            Kind::Simple(f) => format!("Content::Simple({})", facets_expr(f)),
            Kind::Complex { parts, text, .. } => format!(
                "Content::Complex {{ parts: &[{}], text: {} }}",
                parts
                    .iter()
                    .map(|p| format!("Particle {{ elem: {}, min: {}, max: {} }}", p.decl, p.min, p.max))
                    .collect::<Vec<_>>()
                    .join(", "),
                text.as_ref().map_or("None".into(), |t| format!("Some({})", facets_expr(t)))
            ),
            Kind::Any => "Content::Any".into(),
            Kind::AnyType => "Content::AnyType".into(),
            Kind::Signature => "Content::Signature".into(),
            Kind::Placeholder => bail!("unresolved declaration {}", d.name),
        };
        let attrs = match &d.kind {
            Kind::Complex { attrs, .. } => attrs
                .iter()
                .map(|a| {
                    format!(
                        "AttrDecl {{ name: {}, required: {}, ty: {}, fixed: {}, label: {} }}",
                        lit(&a.name),
                        a.required,
                        facets_expr(&a.facets),
                        opt_str(&a.fixed),
                        lit(&a.label)
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        };
        writeln!(
            o,
            "    /* {i} */ ElementDecl {{ name: {}, ns: {}, label: {}, doc: {}, content: {content}, attrs: &[{attrs}], default: {}, fixed: {} }},",
            lit(&d.name),
            ns_const(d.ns),
            lit(&d.label),
            lit(&d.doc),
            opt_str(&d.default),
            opt_str(&d.fixed)
        )?;
    }
    writeln!(o, "];\n")?;

    // Types.
    let mut emitted = std::collections::HashSet::new();
    for (i, d) in g.decls.iter().enumerate() {
        let Kind::Complex { parts, attrs, text } = &d.kind else { continue };
        let Some(sn) = &d.struct_name else { continue };
        if !emitted.insert(sn.clone()) {
            continue;
        }
        emit_struct(&mut o, &g.decls, i, sn, parts, attrs, text.as_ref(), src)?;
    }
    Ok(o)
}

#[allow(clippy::too_many_arguments)]
fn emit_struct(
    o: &mut String,
    decls: &[Decl],
    idx: usize,
    sn: &str,
    parts: &[Part],
    attrs: &[AttrDef],
    text: Option<&Facets>,
    src: &SchemaSrc,
) -> Result<()> {
    let d = &decls[idx];
    let doc = if d.doc.is_empty() { d.name.clone() } else { format!("`{}`: {}", d.name, d.doc) };
    writeln!(o, "/// {}", doc.replace('\n', " "))?;
    writeln!(o, "#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]")?;
    writeln!(o, "#[serde(deny_unknown_fields)]")?;
    writeln!(o, "pub struct {sn} {{")?;
    for a in attrs {
        if !a.label.is_empty() {
            writeln!(o, "    /// {} (attribute)", a.label)?;
        }
        if a.required {
            writeln!(o, "    #[serde(rename = {})]", lit(&a.name))?;
            writeln!(o, "    pub {}: String,", snake(&a.name))?;
        } else {
            writeln!(o, "    #[serde(rename = {}, default, skip_serializing_if = \"Option::is_none\")]", lit(&a.name))?;
            writeln!(o, "    pub {}: Option<String>,", snake(&a.name))?;
        }
    }
    if text.is_some() {
        writeln!(o, "    /// The element's text.")?;
        writeln!(o, "    pub value: String,")?;
    }
    for p in parts {
        let pd = &decls[p.decl];
        let base = match field_ty(pd) {
            FieldTy::Leaf(t) => t.to_string(),
            FieldTy::Struct(s) => s,
            FieldTy::Raw => "RawXml".into(),
        };
        let is_dec = base == "Decimal";
        if !pd.label.is_empty() {
            writeln!(o, "    /// {}", pd.label)?;
        }
        let (ty, serde_extra) = if p.max > 1 {
            (format!("Vec<{base}>"), ", default, skip_serializing_if = \"Vec::is_empty\"".to_string())
        } else if p.min == 0 {
            let with = if is_dec { ", with = \"crate::codec::opt_decimal\"" } else { "" };
            (format!("Option<{base}>"), format!(", default, skip_serializing_if = \"Option::is_none\"{with}"))
        } else {
            let with = if is_dec { ", with = \"crate::codec::decimal\"" } else { "" };
            (base.clone(), with.to_string())
        };
        writeln!(o, "    #[serde(rename = {}{serde_extra})]", lit(&pd.name))?;
        writeln!(o, "    pub {}: {ty},", field_name(&pd.name))?;
    }
    writeln!(o, "}}\n")?;

    // Decoder.
    writeln!(o, "impl Decode for {sn} {{")?;
    writeln!(o, "    const DECL: &'static ElementDecl = &ELEMENTS[{idx}];")?;
    writeln!(o, "    fn decode(el: Element<'_, '_>, cx: &mut Cx) -> Self {{")?;
    for (ai, a) in attrs.iter().enumerate() {
        let f = snake(&a.name);
        if a.required {
            writeln!(o, "        let {f} = cx.attr_required(el, Self::DECL, {ai});")?;
        } else {
            writeln!(o, "        let {f} = cx.attr_optional(el, Self::DECL, {ai});")?;
        }
    }
    if text.is_some() {
        writeln!(o, "        let value = cx.text_content(el, Self::DECL);")?;
    }
    for (pi, p) in parts.iter().enumerate() {
        let pd = &decls[p.decl];
        let ty = match field_ty(pd) {
            FieldTy::Leaf(t) => t.to_string(),
            FieldTy::Struct(s) => s,
            FieldTy::Raw => "RawXml".into(),
        };
        if p.max > 1 {
            writeln!(o, "        let mut f{pi}: Vec<{ty}> = Vec::new();")?;
        } else {
            writeln!(o, "        let mut f{pi}: Option<{ty}> = None;")?;
        }
    }
    writeln!(o, "        for c in el.child_elements() {{")?;
    writeln!(o, "            match (c.namespace().unwrap_or(\"\"), c.local_name()) {{")?;
    for (pi, p) in parts.iter().enumerate() {
        let pd = &decls[p.decl];
        let read = match field_ty(pd) {
            FieldTy::Leaf("Decimal") => format!("cx.leaf_decimal(c, &ELEMENTS[{}])", p.decl),
            FieldTy::Leaf("i32") => format!("cx.leaf_int(c, &ELEMENTS[{}])", p.decl),
            FieldTy::Leaf(_) => format!("cx.leaf_string(c, &ELEMENTS[{}])", p.decl),
            FieldTy::Struct(s) => format!(
                "cx.child::<{s}>(c, {}, {})",
                lit(&pd.name),
                if p.max > 1 { format!("Some(f{pi}.len() + 1)") } else { "None".into() }
            ),
            FieldTy::Raw if matches!(pd.kind, Kind::Signature) => "cx.raw_element(c)".to_string(),
            FieldTy::Raw => "cx.raw_content(c)".to_string(),
        };
        let store = if p.max > 1 {
            format!("{{ let v = {read}; f{pi}.push(v); }}")
        } else {
            format!("if f{pi}.is_none() {{ f{pi} = Some({read}); }} else {{ cx.repeated(c); }}")
        };
        writeln!(o, "                ({}, {}) => {store}", ns_const(pd.ns), lit(&pd.name))?;
    }
    writeln!(o, "                _ => cx.unexpected(c),")?;
    writeln!(o, "            }}")?;
    writeln!(o, "        }}")?;
    writeln!(o, "        {sn} {{")?;
    for a in attrs {
        writeln!(o, "            {},", snake(&a.name))?;
    }
    if text.is_some() {
        writeln!(o, "            value,")?;
    }
    for (pi, p) in parts.iter().enumerate() {
        let pd = &decls[p.decl];
        let f = field_name(&pd.name);
        if p.max > 1 || p.min == 0 {
            writeln!(o, "            {f}: f{pi},")?;
        } else {
            writeln!(o, "            {f}: cx.required(f{pi}, el, {}),", lit(&pd.name))?;
        }
    }
    writeln!(o, "        }}")?;
    writeln!(o, "    }}")?;
    writeln!(o, "}}\n")?;

    // Encoder.
    writeln!(o, "impl Encode for {sn} {{")?;
    writeln!(o, "    fn encode(&self, w: &mut XmlWriter, tag: &str, root_ns: Option<(&str, &str)>) {{")?;
    writeln!(o, "        w.start(tag);")?;
    writeln!(o, "        if let Some((attr, uri)) = root_ns {{ w.attr(attr, uri); }}")?;
    for a in attrs {
        let f = snake(&a.name);
        if a.required {
            writeln!(o, "        w.attr({}, &self.{f});", lit(&a.name))?;
        } else {
            writeln!(o, "        if let Some(v) = &self.{f} {{ w.attr({}, v); }}", lit(&a.name))?;
        }
    }
    if text.is_some() {
        writeln!(o, "        w.text(&self.value);")?;
    }
    for p in parts {
        let pd = &decls[p.decl];
        let f = field_name(&pd.name);
        let tag = if pd.ns == DS_NS { "ds:Signature".to_string() } else { format!("{}:{}", src.prefix, pd.name) };
        let write_one = |v: &str| -> String {
            match field_ty(pd) {
                FieldTy::Leaf("String") => format!("w.leaf({}, {v});", lit(&tag)),
                FieldTy::Leaf(_) => format!("w.leaf({}, &{v}.to_string());", lit(&tag)),
                FieldTy::Struct(_) => format!("{v}.encode(w, {}, None);", lit(&tag)),
                FieldTy::Raw if matches!(pd.kind, Kind::Signature) => format!("w.raw({v}.as_str());"),
                FieldTy::Raw => format!("{{ w.start({t}); w.raw({v}.as_str()); w.end({t}); }}", t = lit(&tag)),
            }
        };
        if p.max > 1 {
            writeln!(o, "        for v in &self.{f} {{ {} }}", write_one("v"))?;
        } else if p.min == 0 {
            writeln!(o, "        if let Some(v) = &self.{f} {{ {} }}", write_one("v"))?;
        } else {
            writeln!(o, "        {{ let v = &self.{f}; {} }}", write_one("v"))?;
        }
    }
    writeln!(o, "        w.end(tag);")?;
    writeln!(o, "    }}")?;
    writeln!(o, "}}\n")?;
    Ok(())
}

fn field_name(xsd: &str) -> String {
    snake(xsd)
}

fn generate_mod(root: &Path) -> Result<String> {
    let mut o = String::new();
    writeln!(o, "// @generated by xsdgen. Do not edit by hand: run `cargo run -p xsdgen`.")?;
    writeln!(o, "//! Message types and schema tables generated from the official XSDs.")?;
    writeln!(o, "#![allow(clippy::all, clippy::large_enum_variant)]")?;
    writeln!(
        o,
        "#[rustfmt::skip]\npub mod dxp;\n#[rustfmt::skip]\npub mod export;\n#[rustfmt::skip]\npub mod import;\n"
    )?;
    writeln!(o, "use serde::{{Deserialize, Serialize}};\n")?;
    let mut variants = Vec::new();
    for src in SCHEMAS {
        let text = std::fs::read_to_string(root.join("spec/xsd").join(src.file))?;
        let doc = Document::parse(&text, &Limits::default()).map_err(|e| anyhow!("{e}"))?;
        let mut names: Vec<String> = xs_children(doc.root())
            .filter(|c| c.local_name() == "element")
            .filter_map(|c| c.attribute("name").map(str::to_string))
            .filter(|n| (src.is_root)(n))
            .collect();
        names.sort();
        for n in names {
            variants.push((src.key, n));
        }
    }
    writeln!(o, "/// Every message of the 2022 schemas, tagged by its root element name.")?;
    writeln!(o, "/// The JSON form is `{{\"CEB311Message\": {{…}}}}`.")?;
    writeln!(o, "#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]")?;
    writeln!(o, "pub enum Message {{")?;
    for (k, n) in &variants {
        writeln!(o, "    {n}(Box<{k}::{n}>),")?;
    }
    writeln!(o, "}}\n")?;
    writeln!(o, "impl Message {{")?;
    writeln!(o, "    /// The root element name, e.g. `CEB311Message`.")?;
    writeln!(o, "    pub fn root_name(&self) -> &'static str {{")?;
    writeln!(o, "        match self {{")?;
    for (_, n) in &variants {
        writeln!(o, "            Message::{n}(_) => {},", lit(n))?;
    }
    writeln!(o, "        }}\n    }}\n")?;
    writeln!(o, "    /// The schema the message belongs to.")?;
    writeln!(o, "    pub fn schema(&self) -> &'static crate::schema::Schema {{")?;
    writeln!(o, "        match self {{")?;
    for (k, n) in &variants {
        writeln!(o, "            Message::{n}(_) => &{k}::SCHEMA,")?;
    }
    writeln!(o, "        }}\n    }}\n")?;
    writeln!(
        o,
        "    pub(crate) fn decode_root(schema: &str, name: &str, el: cbec_xml::Element<'_, '_>, cx: &mut crate::codec::Cx) -> Option<Message> {{"
    )?;
    writeln!(o, "        use crate::codec::Decode;")?;
    writeln!(o, "        Some(match (schema, name) {{")?;
    for (k, n) in &variants {
        writeln!(o, "            ({}, {}) => Message::{n}(Box::new({k}::{n}::decode(el, cx))),", lit(k), lit(n))?;
    }
    writeln!(o, "            _ => return None,")?;
    writeln!(o, "        }})\n    }}\n")?;
    writeln!(o, "    pub(crate) fn encode_root(&self, w: &mut cbec_xml::XmlWriter) {{")?;
    writeln!(o, "        use crate::codec::Encode;")?;
    writeln!(o, "        match self {{")?;
    for (k, n) in &variants {
        let (prefix, ns) = if *k == "dxp" { ("dxp", "DXP_NS") } else { ("ceb", "CEB_NS") };
        writeln!(
            o,
            "            Message::{n}(m) => m.encode(w, \"{prefix}:{n}\", Some((\"xmlns:{prefix}\", crate::schema::{ns}))),"
        )?;
    }
    writeln!(o, "        }}\n    }}\n}}")?;
    Ok(o)
}

/// Every generated file: (name under `crates/cbec-ceb/src/generated/`, content).
fn render(root: &Path) -> Result<Vec<(String, String)>> {
    let mut files = vec![("mod.rs".to_string(), generate_mod(root)?)];
    for src in SCHEMAS {
        files.push((format!("{}.rs", src.key), generate(root, src)?));
    }
    Ok(files)
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Names of the checked-in files that differ from what the XSDs generate.
fn stale_files(root: &Path) -> Result<Vec<String>> {
    let out_dir = root.join("crates/cbec-ceb/src/generated");
    Ok(render(root)?
        .into_iter()
        .filter(|(name, content)| std::fs::read_to_string(out_dir.join(name)).unwrap_or_default() != *content)
        .map(|(name, _)| name)
        .collect())
}

fn main() -> Result<()> {
    let root = workspace_root();
    if std::env::args().any(|a| a == "--check") {
        let stale = stale_files(&root)?;
        if !stale.is_empty() {
            bail!("generated files are out of date: {}; run `cargo run -p xsdgen`", stale.join(", "));
        }
        return Ok(());
    }
    let out_dir = root.join("crates/cbec-ceb/src/generated");
    std::fs::create_dir_all(&out_dir)?;
    for (name, content) in render(&root)? {
        let path = out_dir.join(&name);
        if std::fs::read_to_string(&path).unwrap_or_default() != content {
            std::fs::write(&path, content)?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The checked-in generated code is exactly what the official XSDs give.
    #[test]
    fn generated_code_is_up_to_date() {
        let stale = super::stale_files(&super::workspace_root()).expect("generate");
        assert!(stale.is_empty(), "out of date: {stale:?}; run `cargo run -p xsdgen`");
    }
}
