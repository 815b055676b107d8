//! Differential test on generated documents: a seeded generator writes
//! documents full of namespace and escaping corner cases; for each, our
//! whole-document output must equal xmllint's and lxml's, and a random
//! element's subtree canonicalization must equal lxml's.

use std::path::PathBuf;

use cbec_dsig::c14n::Method;
use cbec_xml::XML_NS;

use crate::support::{self, LxmlJob, Mismatches, Scratch};

const DOCS: usize = 600;
const SEED: u64 = 0x00C1_4E5E_ED00_2024;

/// SplitMix64: tiny, deterministic, good enough to pick cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'x, T>(&mut self, items: &'x [T]) -> &'x T {
        &items[self.below(items.len())]
    }
}

const PREFIXES: &[&str] = &["", "a", "b", "ceb", "ds", "xsi", "前缀"];
// Absolute URIs only: libxml2 refuses to canonicalize relative or invalid
// namespace URIs. No '&' either: libxml2 writes namespace URIs unescaped
// (see the unit test `namespace_values_are_escaped`).
const URIS: &[&str] = &[
    "http://www.chinaport.gov.cn/ceb",
    "http://www.w3.org/2000/09/xmldsig#",
    "http://www.w3.org/2001/XMLSchema-instance",
    "urn:a",
    "urn:b",
    "http://example.com/%E4%B8%AD?q=1",
];
const ELEMENT_NAMES: &[&str] = &["a", "b", "item", "Order", "名称", "x-y", "z.z", "_u"];
const ATTR_NAMES: &[&str] = &["a", "b", "id", "type", "名", "x-y", "z"];
const TEXT: &[&str] = &[
    "a",
    "中文",
    "测试数据",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "&amp;",
    "&lt;",
    ">",
    "&gt;",
    "&#xD;",
    "&#13;",
    "&#x9;",
    "\"",
    "'",
    "&quot;",
    "&apos;",
    "x y",
    "&#x4E2D;",
    "€",
    "😀",
    "&#10;",
];
const ATTR_TEXT: &[&str] = &[
    "v", "中文", " ", "\t", "\n", "\r\n", "&amp;", "&lt;", ">", "&#xD;", "&#13;", "&#9;", "&#xA;", "&quot;", "&apos;",
    "😀",
];
const CDATA_TEXT: &[&str] = &["<", "&", ">", "]", "a", "中", "\r\n", " ", "&amp;", "\t"];
const COMMENT_TEXT: &[&str] = &["c", " ", "中文", "-", "\r\n", "&amp;", "<x>", "\t", "\n"];
const PI_TARGETS: &[&str] = &["pi", "xml-stylesheet", "目标", "p.q"];
const PI_TEXT: &[&str] = &["a=\"1\"", " ", "中", "?", "\r\n", "<&>", "x", "\t"];
const SPACE: &[&str] = &[" ", "\n", "\n  ", "\t", "\r\n", "  "];

struct Generator {
    rng: Rng,
    out: String,
    /// Namespace bindings in scope: (prefix, URI); ("", "") undeclares the
    /// default namespace.
    scope: Vec<(&'static str, &'static str)>,
}

impl Generator {
    fn lookup(&self, prefix: &str) -> Option<&'static str> {
        self.scope.iter().rev().find(|b| b.0 == prefix).map(|b| b.1)
    }

    fn pieces(&mut self, from: &[&str], max: usize) -> String {
        let n = self.rng.below(max + 1);
        (0..n).map(|_| *self.rng.pick(from)).collect()
    }

    fn space(&mut self) {
        if self.rng.chance(50) {
            let s = *self.rng.pick(SPACE);
            self.out.push_str(s);
        }
    }

    fn comment(&mut self) {
        let mut body = self.pieces(COMMENT_TEXT, 5);
        while body.contains("--") {
            body = body.replace("--", "- -");
        }
        if body.ends_with('-') {
            body.push(' ');
        }
        self.out.push_str(&format!("<!--{body}-->"));
    }

    fn pi(&mut self) {
        let target = *self.rng.pick(PI_TARGETS);
        let data = self.pieces(PI_TEXT, 4).replace("?>", "? >");
        match self.rng.below(4) {
            0 => self.out.push_str(&format!("<?{target}?>")),
            1 => self.out.push_str(&format!("<?{target}   ?>")),
            _ => {
                let ws = *self.rng.pick(&[" ", "   ", "\n", "\t"]);
                self.out.push_str(&format!("<?{target}{ws}{data}?>"));
            }
        }
    }

    fn misc(&mut self) {
        if self.rng.chance(50) { self.comment() } else { self.pi() }
    }

    fn document(&mut self) {
        if self.rng.chance(50) {
            self.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
            self.space();
        }
        for _ in 0..self.rng.below(3) {
            self.misc();
            self.space();
        }
        self.element(0);
        for _ in 0..self.rng.below(3) {
            self.space();
            self.misc();
        }
        self.space();
    }

    fn element(&mut self, depth: usize) {
        let mark = self.scope.len();
        let mut parts: Vec<String> = Vec::new();
        // Namespace declarations: new bindings, redeclarations to the same
        // URI (superfluous), default undeclarations.
        if self.rng.chance(45) {
            let mut declared: Vec<&str> = Vec::new();
            for _ in 0..1 + self.rng.below(3) {
                let (prefix, uri) = if !self.scope.is_empty() && self.rng.chance(20) {
                    *self.rng.pick(&self.scope.clone())
                } else {
                    let prefix = *self.rng.pick(PREFIXES);
                    let uri = if prefix.is_empty() && self.rng.chance(35) { "" } else { *self.rng.pick(URIS) };
                    (prefix, uri)
                };
                if declared.contains(&prefix) {
                    continue;
                }
                declared.push(prefix);
                self.scope.push((prefix, uri));
                let name = if prefix.is_empty() { "xmlns".to_owned() } else { format!("xmlns:{prefix}") };
                parts.push(format!("{name}=\"{uri}\""));
            }
        }
        if self.rng.chance(2) {
            parts.push(format!("xmlns:xml=\"{XML_NS}\""));
        }
        let bound: Vec<&'static str> = PREFIXES
            .iter()
            .copied()
            .filter(|p| !p.is_empty() && self.lookup(p).is_some_and(|u| !u.is_empty()))
            .collect();
        let local = *self.rng.pick(ELEMENT_NAMES);
        let qname = if !bound.is_empty() && self.rng.chance(50) {
            format!("{}:{local}", self.rng.pick(&bound))
        } else {
            local.to_owned()
        };
        // Attributes: unprefixed, prefixed (never two with the same
        // namespace URI and local name), and xml:* below the root.
        let mut seen: Vec<(String, String)> = Vec::new();
        for _ in 0..self.rng.below(5) {
            let (qname, key) = if depth > 0 && self.rng.chance(8) {
                let local = *self.rng.pick(&["lang", "space", "base"]);
                (format!("xml:{local}"), (XML_NS.to_owned(), local.to_owned()))
            } else if !bound.is_empty() && self.rng.chance(40) {
                let prefix = *self.rng.pick(&bound);
                let local = *self.rng.pick(ATTR_NAMES);
                (format!("{prefix}:{local}"), (self.lookup(prefix).unwrap_or_default().to_owned(), local.to_owned()))
            } else {
                let local = *self.rng.pick(ATTR_NAMES);
                (local.to_owned(), (String::new(), local.to_owned()))
            };
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let quote = if self.rng.chance(50) { '"' } else { '\'' };
            let raw_quote = if quote == '"' { "'" } else { "\"" };
            let mut value = self.pieces(ATTR_TEXT, 5);
            if self.rng.chance(30) {
                value.push_str(raw_quote);
            }
            let eq = *self.rng.pick(&["=", " = ", "=\n"]);
            parts.push(format!("{qname}{eq}{quote}{value}{quote}"));
        }
        // Declarations and attributes in random order.
        for i in (1..parts.len()).rev() {
            let j = self.rng.below(i + 1);
            parts.swap(i, j);
        }
        self.out.push('<');
        self.out.push_str(&qname);
        for p in &parts {
            let ws = *self.rng.pick(&[" ", " ", "\n   ", "\t"]);
            self.out.push_str(ws);
            self.out.push_str(p);
        }
        if self.rng.chance(20) {
            self.out.push(' ');
        }
        // The root always has an element child, so that a non-root apex
        // exists.
        let children = if depth == 0 {
            1 + self.rng.below(4)
        } else if depth < 5 {
            self.rng.below(5)
        } else {
            0
        };
        if children == 0 && self.rng.chance(50) {
            self.out.push_str("/>");
        } else {
            self.out.push('>');
            let mut need_element = depth == 0;
            for _ in 0..children {
                self.space();
                match self.rng.below(100) {
                    _ if need_element => {
                        need_element = false;
                        self.element(depth + 1)
                    }
                    0..=44 => self.element(depth + 1),
                    45..=69 => {
                        let t = self.pieces(TEXT, 6);
                        self.out.push_str(&t);
                    }
                    70..=79 => {
                        let mut body = self.pieces(CDATA_TEXT, 6);
                        while body.contains("]]>") {
                            body = body.replace("]]>", "]] >");
                        }
                        self.out.push_str(&format!("<![CDATA[{body}]]>"));
                    }
                    80..=89 => self.comment(),
                    _ => self.pi(),
                }
            }
            self.space();
            self.out.push_str(&format!("</{qname}{}>", if self.rng.chance(10) { " " } else { "" }));
        }
        self.scope.truncate(mark);
    }
}

fn generate(rng: &mut Rng) -> String {
    let mut g = Generator { rng: Rng(rng.next()), out: String::new(), scope: Vec::new() };
    g.document();
    g.out
}

fn random_prefix_list(rng: &mut Rng) -> Vec<String> {
    let mut list = Vec::new();
    for p in ["#default", "a", "b", "ceb", "ds", "xsi", "前缀", "unused"] {
        if rng.chance(30) {
            list.push(p.to_owned());
        }
    }
    list
}

#[test]
fn generated_documents_match_xmllint_and_lxml() {
    support::require_xmllint();
    let scratch = Scratch::new("generated");
    let mut rng = Rng(SEED);
    let mut m = Mismatches::default();
    let mut jobs = Vec::new();
    let mut ours = Vec::new();
    let mut subtrees = 0;
    for n in 0..DOCS {
        let text = generate(&mut rng);
        let path: PathBuf = scratch.0.join(format!("doc{n}.xml"));
        std::fs::write(&path, &text).unwrap();
        let doc = support::parse(&text);
        let show = |what: &str| format!("generated document #{n} ({what}), kept at {}:\n{text}", path.display());

        for (flag, method) in [
            ("--c14n", Method::InclusiveWithComments),
            ("--exc-c14n", Method::ExclusiveWithComments { inclusive_prefixes: Vec::new() }),
        ] {
            let reference = support::xmllint(flag, &path);
            m.compare(|| show(&format!("xmllint {flag}")), &support::ours(&doc, None, &method), &reference);
        }

        let mut add = |element: Option<usize>, id, method: Method| {
            ours.push((
                n,
                element,
                support::ours(&doc, id, &method),
                show(&format!("lxml {method:?} element {element:?}")),
            ));
            jobs.push(LxmlJob { path: path.clone(), element, method });
        };
        add(None, None, Method::Inclusive);
        add(None, None, Method::Exclusive { inclusive_prefixes: Vec::new() });
        add(None, None, Method::Exclusive { inclusive_prefixes: random_prefix_list(&mut rng) });

        // A random non-root element whose ancestors carry no xml:*
        // attribute (lxml does not inherit those onto the apex; the unit
        // tests cover that rule).
        let all = support::elements(&doc);
        let candidates: Vec<usize> = (1..all.len())
            .filter(|&i| {
                let e = doc.element(all[i]).unwrap();
                std::iter::successors(e.parent(), |p| p.parent())
                    .all(|a| a.attributes().iter().all(|at| a.attribute_namespace(at) != Some(XML_NS)))
            })
            .collect();
        if candidates.is_empty() {
            continue;
        }
        subtrees += 1;
        let index = *rng.pick(&candidates);
        let id = Some(all[index]);
        add(Some(index), id, Method::Inclusive);
        add(Some(index), id, Method::InclusiveWithComments);
        add(Some(index), id, Method::Exclusive { inclusive_prefixes: Vec::new() });
        add(Some(index), id, Method::ExclusiveWithComments { inclusive_prefixes: random_prefix_list(&mut rng) });
    }
    let results = support::lxml_batch(&scratch.0, &jobs);
    for ((_, _, ours, what), reference) in ours.iter().zip(&results) {
        m.compare(|| what.clone(), ours, reference);
    }
    eprintln!(
        "generated: {DOCS} documents ({subtrees} with a subtree apex), {} comparisons ({} by xmllint, {} by lxml)",
        m.compared,
        2 * DOCS,
        jobs.len()
    );
    assert!(subtrees >= DOCS * 9 / 10, "too few subtree cases: {subtrees}");
    m.assert_none();
}
