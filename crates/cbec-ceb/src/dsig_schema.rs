//! Schema validation of `ds:Signature` against the XML-DSig schema shipped
//! with the CEB XSDs (`spec/xsd/xmldsig-core-schema.xsd`, a reduced copy of
//! the W3C schema: no `Object`, no `Id` on `SignedInfo`, `SignatureValue` or
//! `KeyInfo`).
//! Written by hand because it uses choices and wildcards, which the CEB
//! schemas themselves never do.

use cbec_model::diag::{Code, Diagnostic};
use cbec_xml::{Element, NodeKind};

use crate::schema::{Base, DS_NS, SimpleType, XSD_NS, XSI_NS, check_simple, is_any_uri, is_character_content};

const BASE64: SimpleType = SimpleType {
    base: Base::Base64,
    length: None,
    min_length: None,
    max_length: None,
    total_digits: None,
    fraction_digits: None,
    collapse: true,
};

const ID: SimpleType = SimpleType { base: Base::Id, ..BASE64 };

struct V<'d> {
    diags: &'d mut Vec<Diagnostic>,
    /// The `Id` values seen so far: an xs:ID must be unique in the document
    /// (CEB messages carry no other IDs than the signature's).
    ids: std::collections::HashSet<String>,
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_string() } else { format!("{path}/{name}") }
}

impl V<'_> {
    fn err(&mut self, code: Code, path: String, msg: String, line: u32) {
        self.diags.push(Diagnostic::new(code, path, msg).with_line(line));
    }

    fn is_ds(el: &Element, name: &str) -> bool {
        el.is(DS_NS, name)
    }

    /// Attributes: only those listed (no-namespace), required ones present.
    fn attrs(&mut self, el: Element, path: &str, allowed: &[&str], required: &[&str]) {
        for a in el.attributes() {
            let ns = el.attribute_namespace(a);
            if ns == Some(XSI_NS) && xsi_allowed(&el, a) {
                continue;
            }
            if ns.is_some() || !allowed.contains(&a.qname) {
                self.err(
                    Code::SchemaUnexpectedAttribute,
                    join(path, &format!("@{}", a.qname)),
                    format!("attribute {} is not allowed on ds:{}", a.qname, el.local_name()),
                    el.line(),
                );
            } else if matches!(a.qname, "URI" | "Type" | "Algorithm") && !is_any_uri(&a.value) {
                self.err(
                    Code::SchemaInvalidValue,
                    join(path, &format!("@{}", a.qname)),
                    format!("attribute {}: '{}' is not a valid URI", a.qname, a.value),
                    el.line(),
                );
            } else if a.qname == "Id" {
                let id_path = join(path, "@Id");
                if let Some((code, msg)) = check_simple(&a.value, &ID) {
                    self.err(code, id_path, format!("attribute Id: {msg}"), el.line());
                } else {
                    let id = a.value.trim_matches([' ', '\t', '\n', '\r']).to_string();
                    if !self.ids.insert(id.clone()) {
                        self.err(
                            Code::SchemaInvalidValue,
                            id_path,
                            format!("attribute Id: the ID '{id}' is used twice in the document"),
                            el.line(),
                        );
                    }
                }
            }
        }
        for r in required {
            if el.attribute(r).is_none() {
                self.err(
                    Code::SchemaMissingAttribute,
                    join(path, &format!("@{r}")),
                    format!("ds:{} needs the attribute {r}", el.local_name()),
                    el.line(),
                );
            }
        }
    }

    fn no_text(&mut self, el: Element, path: &str) {
        let doc = el.document();
        if el.children().any(|id| matches!(doc.kind(id), NodeKind::Text(_)) && is_character_content(doc, id)) {
            self.err(
                Code::SchemaUnexpectedText,
                path.to_string(),
                format!("ds:{} contains only elements", el.local_name()),
                el.line(),
            );
        }
    }

    /// Text-only content (mixed, no elements).
    fn no_elements(&mut self, el: Element, path: &str) {
        if let Some(c) = el.child_elements().next() {
            self.err(
                Code::SchemaUnexpectedElement,
                join(path, c.local_name()),
                format!("ds:{} may not contain elements", el.local_name()),
                c.line(),
            );
        }
    }

    /// An element of a simple type: no attributes, no elements.
    fn simple(&mut self, el: Element, path: &str, ty: &SimpleType) {
        self.attrs(el, path, &[], &[]);
        self.no_elements(el, path);
        if let Some((code, msg)) = check_simple(&el.text(), ty) {
            self.err(code, path.to_string(), format!("ds:{}: {msg}", el.local_name()), el.line());
        }
    }

    /// A sequence of ds elements given as (name, min, max); calls `each` for
    /// every matched child.
    fn sequence(
        &mut self,
        el: Element,
        path: &str,
        parts: &[(&str, u32, u32)],
        each: &mut dyn FnMut(&mut Self, Element, String),
    ) {
        self.no_text(el, path);
        let mut pi = 0;
        let mut count = 0;
        for c in el.child_elements() {
            loop {
                if pi < parts.len() && Self::is_ds(&c, parts[pi].0) && count < parts[pi].2 {
                    count += 1;
                    let p = join(path, parts[pi].0);
                    each(self, c, p);
                    break;
                }
                if pi < parts.len() && count >= parts[pi].1 {
                    pi += 1;
                    count = 0;
                    continue;
                }
                self.err(
                    Code::SchemaUnexpectedElement,
                    join(path, c.local_name()),
                    format!("<{}> is not expected in ds:{}", c.qname(), el.local_name()),
                    c.line(),
                );
                return;
            }
        }
        while pi < parts.len() {
            if count < parts[pi].1 {
                self.err(
                    Code::SchemaMissingElement,
                    join(path, parts[pi].0),
                    format!("missing required element ds:{} in ds:{}", parts[pi].0, el.local_name()),
                    el.line(),
                );
            }
            pi += 1;
            count = 0;
        }
    }

    fn signature(&mut self, el: Element, path: &str) {
        self.attrs(el, path, &["Id"], &[]);
        self.sequence(
            el,
            path,
            &[("SignedInfo", 1, 1), ("SignatureValue", 1, 1), ("KeyInfo", 0, 1)],
            &mut |v, c, p| match c.local_name() {
                "SignedInfo" => v.signed_info(c, &p),
                "SignatureValue" => {
                    v.simple(c, &p, &BASE64);
                }
                _ => v.key_info(c, &p),
            },
        );
    }

    fn signed_info(&mut self, el: Element, path: &str) {
        self.attrs(el, path, &[], &[]);
        self.sequence(
            el,
            path,
            &[("CanonicalizationMethod", 1, 1), ("SignatureMethod", 1, 1), ("Reference", 1, u32::MAX)],
            &mut |v, c, p| match c.local_name() {
                "Reference" => v.reference(c, &p),
                _ => v.method(c, &p),
            },
        );
    }

    /// CanonicalizationMethod, SignatureMethod, DigestMethod: an Algorithm
    /// attribute and mixed content without elements.
    fn method(&mut self, el: Element, path: &str) {
        self.attrs(el, path, &["Algorithm"], &["Algorithm"]);
        self.no_elements(el, path);
    }

    fn reference(&mut self, el: Element, path: &str) {
        self.attrs(el, path, &["Id", "URI", "Type"], &[]);
        self.sequence(
            el,
            path,
            &[("Transforms", 0, 1), ("DigestMethod", 1, 1), ("DigestValue", 1, 1)],
            &mut |v, c, p| match c.local_name() {
                "Transforms" => v.transforms(c, &p),
                "DigestMethod" => v.method(c, &p),
                _ => {
                    v.simple(c, &p, &BASE64);
                }
            },
        );
    }

    fn transforms(&mut self, el: Element, path: &str) {
        self.attrs(el, path, &[], &[]);
        self.sequence(el, path, &[("Transform", 1, u32::MAX)], &mut |v, c, p| {
            v.attrs(c, &p, &["Algorithm"], &["Algorithm"]);
            for x in c.child_elements() {
                let ok = (x.namespace() != Some(DS_NS) && x.namespace().is_some()) || Self::is_ds(&x, "XPath");
                if !ok {
                    v.err(
                        Code::SchemaUnexpectedElement,
                        join(&p, x.local_name()),
                        format!("<{}> is not expected in ds:Transform", x.qname()),
                        x.line(),
                    );
                }
            }
        });
    }

    fn key_info(&mut self, el: Element, path: &str) {
        // The reduced schema gives KeyInfo no Id attribute.
        self.attrs(el, path, &[], &[]);
        let mut any = false;
        for c in el.child_elements() {
            any = true;
            let p = join(path, c.local_name());
            if c.namespace() == Some(DS_NS) {
                match c.local_name() {
                    "KeyName" | "MgmtData" => {
                        self.attrs(c, &p, &[], &[]);
                        self.no_elements(c, &p);
                    }
                    "X509Data" => self.x509_data(c, &p),
                    "KeyValue" | "RetrievalMethod" | "PGPData" | "SPKIData" => {}
                    _ => self.err(
                        Code::SchemaUnexpectedElement,
                        p,
                        format!("<{}> is not expected in ds:KeyInfo", c.qname()),
                        c.line(),
                    ),
                }
            } else if c.namespace().is_none() {
                self.err(
                    Code::SchemaUnexpectedElement,
                    p,
                    format!("<{}> is not expected in ds:KeyInfo", c.qname()),
                    c.line(),
                );
            }
        }
        if !any {
            self.err(
                Code::SchemaMissingElement,
                path.to_string(),
                "ds:KeyInfo must hold at least one element (KeyName, X509Data, ...)".into(),
                el.line(),
            );
        }
    }

    fn x509_data(&mut self, el: Element, path: &str) {
        self.attrs(el, path, &[], &[]);
        self.no_text(el, path);
        let mut any = false;
        for c in el.child_elements() {
            any = true;
            let p = join(path, c.local_name());
            if c.namespace() == Some(DS_NS) {
                match c.local_name() {
                    "X509SKI" | "X509Certificate" | "X509CRL" => self.simple(c, &p, &BASE64),
                    "X509SubjectName" => {
                        self.attrs(c, &p, &[], &[]);
                        self.no_elements(c, &p);
                    }
                    "X509IssuerSerial" => {}
                    _ => self.err(
                        Code::SchemaUnexpectedElement,
                        p,
                        format!("<{}> is not expected in ds:X509Data", c.qname()),
                        c.line(),
                    ),
                }
            } else if c.namespace().is_none() {
                self.err(
                    Code::SchemaUnexpectedElement,
                    p,
                    format!("<{}> is not expected in ds:X509Data", c.qname()),
                    c.line(),
                );
            }
        }
        if !any {
            self.err(
                Code::SchemaMissingElement,
                path.to_string(),
                "ds:X509Data must hold at least one element".into(),
                el.line(),
            );
        }
    }
}

/// The `xsi:` attributes libxml2 accepts on an XML-DSig element: location
/// hints anywhere, and `xsi:type` when it names the element's own type. No
/// ds element is nillable, so `xsi:nil` is refused.
fn xsi_allowed(el: &Element, a: &cbec_xml::Attribute) -> bool {
    match a.local_name() {
        "schemaLocation" | "noNamespaceSchemaLocation" => true,
        "type" => {
            let value = a.value.trim_matches([' ', '\t', '\n', '\r']);
            let (prefix, local) = value.split_once(':').unwrap_or(("", value));
            let declared = match el.local_name() {
                "KeyName" | "MgmtData" | "X509SubjectName" | "X509IssuerName" | "XPath" => {
                    (XSD_NS, "string".to_string())
                }
                "X509SKI" | "X509Certificate" | "X509CRL" | "PGPKeyID" | "PGPKeyPacket" | "SPKISexp" => {
                    (XSD_NS, "base64Binary".to_string())
                }
                "X509SerialNumber" => (XSD_NS, "integer".to_string()),
                other => (DS_NS, format!("{other}Type")),
            };
            el.lookup_namespace(prefix).is_some_and(|ns| (ns, local) == (declared.0, declared.1.as_str()))
        }
        _ => false,
    }
}

/// Validates a `ds:Signature` element whose own path is `path`.
pub(crate) fn validate_signature(el: Element, path: &str, diags: &mut Vec<Diagnostic>) {
    V { diags, ids: std::collections::HashSet::new() }.signature(el, path);
}
