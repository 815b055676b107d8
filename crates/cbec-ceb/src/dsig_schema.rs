//! Schema validation of `ds:Signature` against the XML-DSig schema shipped
//! with the CEB XSDs (`spec/xsd/xmldsig-core-schema.xsd`, a reduced copy of
//! the W3C schema: no `Object`, no `Id` on `SignedInfo` or `SignatureValue`).
//! Written by hand because it uses choices and wildcards, which the CEB
//! schemas themselves never do.

use cbec_model::diag::{Code, Diagnostic};
use cbec_xml::{Element, NodeKind};

use crate::schema::{Base, DS_NS, SimpleType, check_simple};

const BASE64: SimpleType = SimpleType {
    base: Base::Base64,
    length: None,
    min_length: None,
    max_length: None,
    total_digits: None,
    fraction_digits: None,
    collapse: true,
};

struct V<'d> {
    diags: &'d mut Vec<Diagnostic>,
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
            let in_ns = el.attribute_namespace(a).is_some();
            if in_ns || !allowed.contains(&a.qname) {
                self.err(
                    Code::SchemaUnexpectedAttribute,
                    join(path, &format!("@{}", a.qname)),
                    format!("attribute {} is not allowed on ds:{}", a.qname, el.local_name()),
                    el.line(),
                );
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
        if el
            .children()
            .any(|id| matches!(doc.kind(id), NodeKind::Text(t) if !t.trim_matches([' ', '\t', '\n', '\r']).is_empty()))
        {
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

    fn simple(&mut self, el: Element, path: &str, ty: &SimpleType) {
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
                    v.attrs(c, &p, &[], &[]);
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
                    v.attrs(c, &p, &[], &[]);
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
        self.attrs(el, path, &["Id"], &[]);
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
                    "X509SubjectName" => self.no_elements(c, &p),
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

/// Validates a `ds:Signature` element whose own path is `path`.
pub(crate) fn validate_signature(el: Element, path: &str, diags: &mut Vec<Diagnostic>) {
    V { diags }.signature(el, path);
}
