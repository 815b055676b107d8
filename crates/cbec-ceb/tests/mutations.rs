//! Mutation testing of the schema validator against xmllint.
//!
//! Starting from the official samples that xmllint accepts (and from the
//! encoder's output for every sample), a seeded generator derives well over
//! 600 well-formed variants: elements dropped, swapped, duplicated up to and
//! past their `maxOccurs`, values at and past their facets, odd decimal and
//! integer spellings, foreign roots, namespaces, elements, attributes and
//! text, fixed and default values. Every variant is written to disk, xmllint
//! judges them in batches, and [`validate_schema`] must give the same verdict
//! for every single one. Strict decoding must succeed exactly on the valid
//! ones, and a valid variant must survive an encode/decode round trip.
//!
//! The mutator reads the schema tables (`cbec_ceb::schema`) only to aim its
//! mutations (which elements are required, which facets a value has); the
//! expected verdict always comes from xmllint. The files stay in a directory
//! under `target/tmp`, with an `index.txt` of each file's verdict and
//! mutation.

mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use cbec_ceb::schema::{self, Base, Content, ElementDecl, Particle, Schema, SimpleType};
use cbec_ceb::{DecodeOptions, decode, encode, validate_schema};
use cbec_model::diag::Code;
use cbec_xml::{Document, Element, Limits, NodeKind, escape_attr, escape_text};
use support::*;

/// The seed of the whole run. Another seed gives a different, equally
/// deterministic corpus: set `CBEC_MUTATION_SEED` (decimal) to explore, and
/// turn any disagreement found that way into a fix and a permanent case.
const SEED: u64 = 0x00C0_FFEE_2022_0520;
/// Mutants generated per mutation kind.
const PER_KIND: usize = 36;

// ------------------------------------------------------------------ PRNG

/// xorshift64* (Vigna): tiny, deterministic, good enough to pick positions.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

// ------------------------------------------------------------ owned tree

/// A mutable copy of a parsed document, serialized back to XML after
/// mutation. Only whole nodes are edited, so the output stays well-formed.
#[derive(Clone, Debug)]
enum Node {
    El(El),
    /// Character data, escaped on output.
    Text(String),
    /// Markup written verbatim: character references, CDATA sections.
    Raw(String),
    Comment(String),
    Pi(String, String),
}

#[derive(Clone, Debug)]
struct El {
    qname: String,
    /// The namespace of the name (as parsed, or as set by the mutator).
    ns: Option<String>,
    decls: Vec<(String, String)>,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    self_close: bool,
}

impl El {
    fn new(qname: String, ns: Option<String>) -> Self {
        El { qname, ns, decls: Vec::new(), attrs: Vec::new(), children: Vec::new(), self_close: false }
    }

    fn prefix(&self) -> &str {
        self.qname.split_once(':').map_or("", |(p, _)| p)
    }

    fn local(&self) -> &str {
        self.qname.split_once(':').map_or(self.qname.as_str(), |(_, l)| l)
    }

    /// A name with this element's prefix (so it lands in its namespace).
    fn sibling_name(&self, local: &str) -> String {
        if self.prefix().is_empty() { local.to_string() } else { format!("{}:{local}", self.prefix()) }
    }

    fn element_indices(&self) -> Vec<usize> {
        self.children.iter().enumerate().filter(|(_, n)| matches!(n, Node::El(_))).map(|(i, _)| i).collect()
    }

    fn text(&self) -> String {
        self.children.iter().filter_map(|n| if let Node::Text(t) = n { Some(t.as_str()) } else { None }).collect()
    }

    fn set_text(&mut self, s: &str) {
        self.children.clear();
        if !s.is_empty() {
            self.children.push(Node::Text(s.to_string()));
        }
    }

    fn el(&self, i: usize) -> &El {
        match &self.children[i] {
            Node::El(e) => e,
            _ => panic!("child {i} is not an element"),
        }
    }
}

#[derive(Clone, Debug)]
struct Tree {
    prolog: Vec<Node>,
    root: El,
    epilog: Vec<Node>,
}

fn own(e: Element<'_, '_>) -> El {
    let doc = e.document();
    let mut el = El::new(e.qname().to_string(), e.namespace().map(str::to_string));
    el.decls = e.ns_decls().iter().map(|d| (d.prefix.to_string(), d.uri.to_string())).collect();
    el.attrs = e.attributes().iter().map(|a| (a.qname.to_string(), a.value.to_string())).collect();
    el.children = e.children().map(|id| own_node(doc, id)).collect();
    el
}

fn own_node(doc: &Document<'_>, id: cbec_xml::NodeId) -> Node {
    match doc.kind(id) {
        NodeKind::Element(c) => Node::El(own(c)),
        NodeKind::Text(t) => Node::Text(t.to_string()),
        NodeKind::Comment(c) => Node::Comment(c.to_string()),
        NodeKind::Pi { target, data } => Node::Pi(target.to_string(), data.to_string()),
    }
}

fn parse_tree(bytes: &[u8]) -> Tree {
    let (text, _) = cbec_xml::decode_input(bytes, usize::MAX).expect("sample encoding");
    let doc = Document::parse(&text, &Limits::default()).expect("sample parses");
    let root_id = doc.root().id();
    let mut prolog = Vec::new();
    let mut epilog = Vec::new();
    let mut seen_root = false;
    for id in doc.top_level() {
        if id == root_id {
            seen_root = true;
        } else if seen_root {
            epilog.push(own_node(&doc, id));
        } else {
            prolog.push(own_node(&doc, id));
        }
    }
    Tree { prolog, root: own(doc.root()), epilog }
}

fn write_node(n: &Node, out: &mut String) {
    match n {
        Node::El(e) => write_el(e, out),
        Node::Text(t) => out.push_str(&escape_text(t)),
        Node::Raw(r) => out.push_str(r),
        Node::Comment(c) => {
            let _ = write!(out, "<!--{c}-->");
        }
        Node::Pi(t, d) if d.is_empty() => {
            let _ = write!(out, "<?{t}?>");
        }
        Node::Pi(t, d) => {
            let _ = write!(out, "<?{t} {d}?>");
        }
    }
}

fn write_el(e: &El, out: &mut String) {
    out.push('<');
    out.push_str(&e.qname);
    for (p, uri) in &e.decls {
        let colon = if p.is_empty() { "" } else { ":" };
        let _ = write!(out, " xmlns{colon}{p}=\"{}\"", escape_attr(uri));
    }
    for (n, v) in &e.attrs {
        let _ = write!(out, " {n}=\"{}\"", escape_attr(v));
    }
    if e.children.is_empty() && e.self_close {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for c in &e.children {
        write_node(c, out);
    }
    let _ = write!(out, "</{}>", e.qname);
}

impl Tree {
    fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        for n in &self.prolog {
            write_node(n, &mut out);
            out.push('\n');
        }
        write_el(&self.root, &mut out);
        out.push('\n');
        for n in &self.epilog {
            write_node(n, &mut out);
            out.push('\n');
        }
        out
    }

    fn at(&mut self, path: &[usize]) -> &mut El {
        let mut el = &mut self.root;
        for &i in path {
            el = match &mut el.children[i] {
                Node::El(e) => e,
                _ => panic!("path does not lead to an element"),
            };
        }
        el
    }
}

// ----------------------------------------------------------------- sites

/// An element of a base document, with what the schema says about it.
#[derive(Clone, Debug)]
struct Site {
    /// Child indices from the root.
    path: Vec<usize>,
    /// Readable path, e.g. `Order[2]/OrderList[1]/qty`.
    label: String,
    decl: Option<&'static ElementDecl>,
    /// The particle the element matched in its parent's sequence.
    particle: Option<Particle>,
    /// Inside a `ds:Signature` (no generated declaration).
    in_signature: bool,
}

impl Site {
    fn simple_type(&self) -> Option<&'static SimpleType> {
        match &self.decl?.content {
            Content::Simple(t) | Content::Complex { text: Some(t), .. } => Some(t),
            _ => None,
        }
    }

    fn parts(&self) -> Option<&'static [Particle]> {
        match &self.decl?.content {
            Content::Complex { parts, text: None } => Some(parts),
            _ => None,
        }
    }

    fn element_only(&self, el: &El) -> bool {
        self.parts().is_some() || (self.in_signature && el.children.iter().any(|n| matches!(n, Node::El(_))))
    }
}

fn particle_index(schema: &Schema, parts: &[Particle], el: &El) -> Option<usize> {
    parts.iter().position(|p| {
        let d = &schema.elements[p.elem];
        d.name == el.local() && el.ns.as_deref() == Some(d.ns)
    })
}

fn collect_sites(schema: &'static Schema, tree: &Tree) -> Vec<Site> {
    fn walk(schema: &'static Schema, el: &El, site: Site, out: &mut Vec<Site>) {
        let parts = site.parts();
        let in_sig = site.in_signature || matches!(site.decl.map(|d| &d.content), Some(Content::Signature));
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let (path, label) = (site.path.clone(), site.label.clone());
        out.push(site);
        for (i, n) in el.children.iter().enumerate() {
            let Node::El(c) = n else { continue };
            let count = seen.entry(c.local().to_string()).or_default();
            *count += 1;
            let pi = parts.and_then(|ps| particle_index(schema, ps, c));
            let particle = pi.map(|i| parts.expect("parts")[i]);
            let decl = particle.map(|p| &schema.elements[p.elem]);
            let step = match particle {
                Some(p) if p.max > 1 => format!("{}[{count}]", c.local()),
                _ => c.local().to_string(),
            };
            let mut child_path = path.clone();
            child_path.push(i);
            let child_label = if label.is_empty() { step } else { format!("{label}/{step}") };
            walk(schema, c, Site { path: child_path, label: child_label, decl, particle, in_signature: in_sig }, out);
        }
    }
    let root = &tree.root;
    let decl = schema.root(root.local());
    let mut out = Vec::new();
    walk(
        schema,
        root,
        Site { path: Vec::new(), label: String::new(), decl, particle: None, in_signature: false },
        &mut out,
    );
    out
}

// ------------------------------------------------------------- synthesis

/// A value valid for a simple type.
fn valid_value(ty: &SimpleType) -> String {
    match ty.base {
        Base::String => "A".repeat(ty.length.or(ty.min_length).unwrap_or(1).max(1) as usize),
        Base::Decimal | Base::Int => "1".into(),
        Base::Date => "2024-01-01".into(),
        Base::DateTime => "2024-01-01T00:00:00".into(),
        Base::Base64 => "AAAA".into(),
        Base::Id => "id1".into(),
    }
}

/// A minimal valid instance of a declaration, written with `prefix`.
fn synth(schema: &'static Schema, d: &'static ElementDecl, prefix: &str) -> Option<El> {
    let qname = if prefix.is_empty() { d.name.to_string() } else { format!("{prefix}:{}", d.name) };
    let mut el = El::new(qname, Some(d.ns.to_string()));
    for a in d.attrs.iter().filter(|a| a.required) {
        el.attrs.push((a.name.to_string(), a.fixed.map_or_else(|| valid_value(&a.ty), str::to_string)));
    }
    match &d.content {
        Content::Simple(ty) | Content::Complex { text: Some(ty), .. } => {
            el.set_text(&d.fixed.map_or_else(|| valid_value(ty), str::to_string));
        }
        Content::Complex { parts, text: None } => {
            for p in *parts {
                for _ in 0..p.min {
                    el.children.push(Node::El(synth(schema, &schema.elements[p.elem], prefix)?));
                }
            }
        }
        Content::Any => {
            // Skipped content: anything, here a foreign element.
            let mut any = El::new("x:note".into(), Some("urn:example:extension".into()));
            any.decls.push(("x".into(), "urn:example:extension".into()));
            any.set_text("free text");
            el.children.push(Node::El(any));
        }
        Content::AnyType => {}
        Content::Signature => return None,
    }
    Some(el)
}

/// Where an element of particle `pi` goes among `parent`'s children.
fn insertion_point(schema: &Schema, parts: &[Particle], parent: &El, pi: usize) -> usize {
    let mut at = None;
    for (i, n) in parent.children.iter().enumerate() {
        if let Node::El(c) = n {
            match particle_index(schema, parts, c) {
                Some(j) if j <= pi => at = Some(i + 1),
                _ => {
                    if at.is_none() {
                        at = Some(i);
                    }
                }
            }
        }
    }
    at.unwrap_or(parent.children.len())
}

// ------------------------------------------------------------- mutations

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    DropRequired,
    DropOptional,
    DropInSignature,
    SwapSiblings,
    DuplicateSingle,
    DuplicateRepeatable,
    Cardinality,
    AddOptional,
    LongText,
    EmptyText,
    PaddedText,
    FractionDigits,
    TotalDigits,
    DecimalLexical,
    IntLexical,
    WrongRootName,
    RootNamespace,
    UnknownElement,
    UnknownAttribute,
    XsiAttribute,
    RootAttributes,
    TextInElementOnly,
    ChildInSimple,
    FixedValue,
    DefaultValue,
    SplitValue,
    CharReferences,
    ChildNamespace,
    SignatureText,
    SignatureAttribute,
    /// Not random: every record and item list of every official sample at
    /// exactly its maxOccurs and one past it.
    RecordLimits,
}

const KINDS: &[Kind] = &[
    Kind::DropRequired,
    Kind::DropOptional,
    Kind::DropInSignature,
    Kind::SwapSiblings,
    Kind::DuplicateSingle,
    Kind::DuplicateRepeatable,
    Kind::Cardinality,
    Kind::AddOptional,
    Kind::LongText,
    Kind::EmptyText,
    Kind::PaddedText,
    Kind::FractionDigits,
    Kind::TotalDigits,
    Kind::DecimalLexical,
    Kind::IntLexical,
    Kind::WrongRootName,
    Kind::RootNamespace,
    Kind::UnknownElement,
    Kind::UnknownAttribute,
    Kind::XsiAttribute,
    Kind::RootAttributes,
    Kind::TextInElementOnly,
    Kind::ChildInSimple,
    Kind::FixedValue,
    Kind::DefaultValue,
    Kind::SplitValue,
    Kind::CharReferences,
    Kind::ChildNamespace,
    Kind::SignatureText,
    Kind::SignatureAttribute,
];

const DECIMALS: &[&str] = &[
    "+1.5",
    "-1.5",
    ".5",
    "5.",
    "-.5",
    "+.5",
    " 12.5 ",
    "\n\t12.5\n",
    "12.",
    "+0",
    "-0.0",
    "0000000000000000000000000001.5",
    "1.500000000000000000000000",
    "000000000000000000001234567890123.12345000000",
    "1e3",
    "1E3",
    "1,5",
    "0x10",
    ".",
    "+",
    "-",
    "1.2.3",
    "１２",
    "NaN",
    "INF",
    "1 000",
    "1_0",
    "٣",
    "- 1",
    "+-1",
    "1.",
    "0.00000",
    "99999999999999.99999",
    "999999999999999.99999",
    "9999999999999999999",
    "0.000001",
    "1.50000000000000000000000",
    "0.000000000000000000000000",
    "0.0000000000000000000000000",
    "12345678901234567890123.0",
];

const INTS: &[&str] = &[
    " 5",
    "5 ",
    "\n5",
    "5\n",
    "1.0",
    "1.5",
    "+5",
    "-5",
    "007",
    "0",
    "-0",
    "+0",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "1e2",
    "0x1",
    "٥",
    "+",
    "-",
    "1 2",
    "00000000000000000000001",
    "99999",
    "100000",
    "9999",
    "10000",
    "999999999",
    "1000000000",
];

/// One generated document.
struct Mutant {
    kind: Option<Kind>,
    desc: String,
    xml: String,
}

struct BaseDoc {
    name: String,
    schema: &'static Schema,
    tree: Tree,
    sites: Vec<Site>,
}

struct Gen<'b> {
    rng: Rng,
    bases: &'b [BaseDoc],
}

impl Gen<'_> {
    /// Tries a mutation kind on random bases until one applies.
    fn make(&mut self, kind: Kind) -> Option<Mutant> {
        for _ in 0..400 {
            let b = self.rng.below(self.bases.len());
            let base = &self.bases[b];
            let mut tree = base.tree.clone();
            if let Some(desc) = self.apply(kind, base, &mut tree) {
                return Some(Mutant { kind: Some(kind), desc: format!("{}: {desc}", base.name), xml: tree.to_xml() });
            }
        }
        None
    }

    fn pick_site<'s>(&mut self, base: &'s BaseDoc, ok: impl Fn(&Site) -> bool) -> Option<&'s Site> {
        let c: Vec<&Site> = base.sites.iter().filter(|s| ok(s)).collect();
        (!c.is_empty()).then(|| *self.rng.pick(&c))
    }

    fn apply(&mut self, kind: Kind, base: &BaseDoc, tree: &mut Tree) -> Option<String> {
        let schema = base.schema;
        let rng_val = self.rng.next();
        match kind {
            Kind::DropRequired | Kind::DropOptional | Kind::DropInSignature => {
                let s = self.pick_site(base, |s| match kind {
                    Kind::DropRequired => s.particle.is_some_and(|p| p.min >= 1),
                    Kind::DropOptional => s.particle.is_some_and(|p| p.min == 0),
                    _ => s.in_signature,
                })?;
                let (last, parent) = s.path.split_last()?;
                tree.at(parent).children.remove(*last);
                Some(format!("drop {}", s.label))
            }
            Kind::SwapSiblings => {
                let s = self.pick_site(base, |s| !s.path.is_empty())?;
                let (last, parent_path) = s.path.split_last()?;
                let parent = tree.at(parent_path);
                let els = parent.element_indices();
                let k = els.iter().position(|i| i == last)?;
                let other = *els.get(k + 1)?;
                let other_name = parent.el(other).local().to_string();
                parent.children.swap(*last, other);
                Some(format!("swap {} with its next sibling {other_name}", s.label))
            }
            Kind::DuplicateSingle | Kind::DuplicateRepeatable => {
                let s = self.pick_site(base, |s| match kind {
                    Kind::DuplicateSingle => {
                        s.particle.is_some_and(|p| p.max == 1) || (s.in_signature && s.decl.is_none())
                    }
                    _ => s.particle.is_some_and(|p| p.max > 1),
                })?;
                let (last, parent) = s.path.split_last()?;
                let parent = tree.at(parent);
                let copy = parent.children[*last].clone();
                parent.children.insert(last + 1, copy);
                parent.children.insert(last + 1, Node::Text("\n".into()));
                Some(format!("duplicate {}", s.label))
            }
            Kind::Cardinality => {
                let s = self.pick_site(base, |s| s.particle.is_some_and(|p| p.max > 1))?;
                let p = s.particle?;
                let (last, parent_path) = s.path.split_last()?;
                let parent = tree.at(parent_path);
                let name = parent.el(*last).local().to_string();
                let count = parent.children.iter().filter(|n| matches!(n, Node::El(e) if e.local() == name)).count();
                let max = if p.max == u32::MAX { 120 } else { p.max as usize };
                let target = if p.max == u32::MAX || rng_val.is_multiple_of(2) { max } else { max + 1 };
                if target <= count {
                    return None;
                }
                let copy = parent.children[*last].clone();
                for _ in count..target {
                    parent.children.insert(last + 1, copy.clone());
                    parent.children.insert(last + 1, Node::Text("\n".into()));
                }
                let limit = if p.max == u32::MAX { "unbounded".to_string() } else { p.max.to_string() };
                Some(format!("{} repeated to {target} occurrences (maxOccurs {limit})", s.label))
            }
            Kind::AddOptional => {
                let s = self.pick_site(base, |s| s.parts().is_some())?;
                let parts = s.parts()?;
                let el = tree.at(&s.path);
                let present: Vec<usize> = el
                    .children
                    .iter()
                    .filter_map(|n| if let Node::El(c) = n { particle_index(schema, parts, c) } else { None })
                    .collect();
                let absent: Vec<usize> =
                    (0..parts.len()).filter(|i| !present.contains(i) && parts[*i].min == 0).collect();
                if absent.is_empty() {
                    return None;
                }
                let pi = *self.rng.pick(&absent);
                let p = parts[pi];
                let d = &schema.elements[p.elem];
                let prefix = el.prefix().to_string();
                let new = synth(schema, d, &prefix)?;
                let n = if p.max > 1 && p.max != u32::MAX {
                    *self.rng.pick(&[1, p.max as usize, p.max as usize + 1])
                } else {
                    1
                };
                let at = insertion_point(schema, parts, el, pi);
                for _ in 0..n {
                    el.children.insert(at, Node::El(new.clone()));
                }
                Some(format!("add {n} synthesized {} to {}", d.name, or_root(&s.label)))
            }
            Kind::LongText => {
                let s = self.pick_site(base, |s| {
                    s.simple_type()
                        .is_some_and(|t| t.base == Base::String && (t.length.is_some() || t.max_length.is_some()))
                        && s.decl.is_some_and(|d| d.fixed.is_none())
                })?;
                let ty = s.simple_type()?;
                let limit = ty.length.or(ty.max_length)? as usize;
                let n = match rng_val % 3 {
                    0 => limit,
                    1 => limit + 1,
                    _ => limit.saturating_sub(1),
                };
                let c = *self.rng.pick(&["A", "海", "𠀀", "a b"]);
                let mut v: String = c.repeat(n + 1).chars().take(n).collect();
                if v.ends_with(' ') {
                    v.pop();
                    v.push('x');
                }
                tree.at(&s.path).set_text(&v);
                Some(format!("{} set to {n} characters ({c:?}; limit {limit})", s.label))
            }
            Kind::EmptyText => {
                let s = self.pick_site(base, |s| s.simple_type().is_some() || s.parts().is_some())?;
                let el = tree.at(&s.path);
                el.children.clear();
                el.self_close = rng_val.is_multiple_of(2);
                let form = if el.self_close { "<x/>" } else { "<x></x>" };
                Some(format!("empty {} written as {form}", or_root(&s.label)))
            }
            Kind::PaddedText => {
                let s = self.pick_site(base, |s| s.simple_type().is_some_and(|t| t.base == Base::String))?;
                let ty = s.simple_type()?;
                let el = tree.at(&s.path);
                let old = el.text();
                let core = if old.trim().is_empty() { valid_value(ty) } else { old.trim().to_string() };
                let v = match rng_val % 4 {
                    0 => format!(" {core} "),
                    1 => format!("\n\t{core}\n"),
                    2 => {
                        let mid = core.char_indices().nth(core.chars().count() / 2).map_or(core.len(), |(i, _)| i);
                        format!("{}  {}", &core[..mid], &core[mid..])
                    }
                    _ => format!("{core}\t"),
                };
                el.set_text(&v);
                let collapse = if ty.collapse { "collapse" } else { "preserve" };
                Some(format!("{} padded with whitespace ({collapse}) to {v:?}", s.label))
            }
            Kind::FractionDigits => {
                let s = self.pick_site(base, |s| {
                    s.simple_type().is_some_and(|t| t.base == Base::Decimal && t.fraction_digits.is_some())
                })?;
                let f = s.simple_type()?.fraction_digits? as usize;
                let v = match rng_val % 4 {
                    0 => format!("1.{}", "1".repeat(f + 1)),
                    1 => format!("1.{}", "1".repeat(f)),
                    2 => format!("1.{}{}", "1".repeat(f), "0".repeat(1 + (rng_val as usize >> 8) % 4)),
                    _ => format!("0.{}1", "0".repeat(f)),
                };
                tree.at(&s.path).set_text(&v);
                Some(format!("{} = {v} (fractionDigits {f})", s.label))
            }
            Kind::TotalDigits => {
                let s = self.pick_site(base, |s| s.simple_type().is_some_and(|t| t.total_digits.is_some()))?;
                let ty = s.simple_type()?;
                let t = ty.total_digits? as usize;
                let f = ty.fraction_digits.unwrap_or(0) as usize;
                let v = match (ty.base, rng_val % 4) {
                    (Base::Int, 0) => "1".repeat(t + 1),
                    (Base::Int, 1) => "1".repeat(t),
                    (Base::Int, 2) => format!("000{}", "1".repeat(t)),
                    (Base::Int, _) => format!("-{}", "1".repeat(t)),
                    (_, 0) => "9".repeat(t + 1),
                    (_, 1) => format!("{}.{}", "9".repeat(t - f), "9".repeat(f)),
                    (_, 2) => format!("{}.{}", "9".repeat(t - f + 1), "9".repeat(f.saturating_sub(1))),
                    (_, _) => format!("-000{}.{}000", "9".repeat(t - f), "9".repeat(f)),
                };
                tree.at(&s.path).set_text(&v);
                Some(format!("{} = {v} (totalDigits {t})", s.label))
            }
            Kind::DecimalLexical | Kind::IntLexical => {
                let want = if kind == Kind::DecimalLexical { Base::Decimal } else { Base::Int };
                let s = self.pick_site(base, |s| s.simple_type().is_some_and(|t| t.base == want))?;
                let v = *self.rng.pick(if want == Base::Decimal { DECIMALS } else { INTS });
                tree.at(&s.path).set_text(v);
                Some(format!("{} = {v:?}", s.label))
            }
            Kind::WrongRootName => {
                let local = tree.root.local().to_string();
                let other = schema.elements[*self.rng.pick(schema.roots)].name;
                let new = match rng_val % 5 {
                    0 => format!("{local}X"),
                    1 => local.trim_end_matches("Message").to_string(),
                    2 => other.to_string(),
                    3 => local.to_lowercase(),
                    _ => "CEB999Message".to_string(),
                };
                if new == local {
                    return None;
                }
                tree.root.qname = tree.root.sibling_name(&new);
                Some(format!("root renamed {local} -> {new}"))
            }
            Kind::RootNamespace => {
                let prefix = tree.root.prefix().to_string();
                let desc = match rng_val % 3 {
                    0 => {
                        let d = tree.root.decls.iter_mut().find(|(p, _)| *p == prefix)?;
                        d.1 = "http://www.chinaport.gov.cn/ceb/2016".into();
                        format!("namespace of prefix '{prefix}' changed on the root (the whole document moves)")
                    }
                    1 if !prefix.is_empty() => {
                        tree.root.qname = tree.root.local().to_string();
                        "root element without prefix, in no namespace".to_string()
                    }
                    1 => {
                        // The default namespace is declared on the root:
                        // put the root alone in another namespace.
                        let d = tree.root.decls.iter_mut().find(|(p, _)| p.is_empty())?;
                        d.1 = schema::DXP_NS.into();
                        for n in &mut tree.root.children {
                            if let Node::El(c) = n {
                                c.decls.push((String::new(), schema::CEB_NS.into()));
                            }
                        }
                        "root element in the DXP namespace, children in CEB".to_string()
                    }
                    _ => {
                        let local = tree.root.local().to_string();
                        tree.root.qname = format!("zz:{local}");
                        tree.root.decls.push(("zz".into(), schema::DXP_NS.into()));
                        "root element in the DXP namespace".to_string()
                    }
                };
                Some(desc)
            }
            Kind::UnknownElement => {
                let s = self.pick_site(base, |s| s.parts().is_some() || s.in_signature)?;
                let el = tree.at(&s.path);
                if !s.element_only(el) {
                    return None;
                }
                let at = self.rng.below(el.children.len() + 1);
                let (new, what) = match rng_val % 4 {
                    0 => (El::new(el.sibling_name("extraField"), None), "same-namespace"),
                    1 => {
                        // An element of the schema, but from elsewhere.
                        let d = &schema.elements[self.rng.below(schema.elements.len())];
                        (El::new(el.sibling_name(d.name), None), "misplaced schema")
                    }
                    2 => {
                        let mut e = El::new("x:extra".into(), None);
                        e.decls.push(("x".into(), "urn:example:extra".into()));
                        (e, "foreign-namespace")
                    }
                    _ => {
                        let mut e = El::new("extra".into(), None);
                        e.decls.push((String::new(), String::new()));
                        (e, "no-namespace")
                    }
                };
                let mut new = new;
                new.set_text("1");
                let name = new.qname.clone();
                el.children.insert(at, Node::El(new));
                Some(format!("{what} element <{name}> inserted into {} at child {at}", or_root(&s.label)))
            }
            Kind::UnknownAttribute => {
                let s = self.pick_site(base, |_| true)?;
                let el = tree.at(&s.path);
                let (name, value, decl) = match rng_val % 4 {
                    0 | 1 => ("extraAttr", "1", None),
                    2 => ("x:attr", "1", Some(("x", "urn:example:extra"))),
                    _ => ("Id", "a1", None),
                };
                if el.attrs.iter().any(|(n, _)| n == name) {
                    return None;
                }
                if let Some((p, uri)) = decl {
                    el.decls.push((p.into(), uri.into()));
                }
                el.attrs.push((name.into(), value.into()));
                Some(format!("attribute {name}=\"{value}\" added to {}", or_root(&s.label)))
            }
            Kind::XsiAttribute => {
                let in_sig = base.sites.iter().any(|s| s.in_signature) && rng_val % 5 < 2;
                let s = self.pick_site(base, |s| s.in_signature == in_sig)?;
                let el = tree.at(&s.path);
                if el.decls.iter().any(|(p, _)| p == "xsi" || p == "tns") {
                    return None;
                }
                // xsi:type values name a type through the prefix tns.
                let declared_guess = match s.decl {
                    _ if s.in_signature => (schema::DS_NS, format!("{}Type", el.local())),
                    Some(d) if matches!(d.content, Content::Any) => (schema::CEB_NS, "XMLElement".to_string()),
                    _ => (schema::XSD_NS, "int".to_string()),
                };
                let (name, value, tns) = match (rng_val >> 8) % 9 {
                    0 | 1 => ("schemaLocation", "http://www.chinaport.gov.cn/ceb ceb.xsd".to_string(), None),
                    2 => ("noNamespaceSchemaLocation", "ceb.xsd".to_string(), None),
                    3 => ("nil", "true".to_string(), None),
                    4 => ("nil", "false".to_string(), None),
                    5 => ("type", "tns:string".to_string(), Some(schema::XSD_NS)),
                    6 => ("type", format!("tns:{}", declared_guess.1), Some(declared_guess.0)),
                    7 => ("type", "tns:int".to_string(), Some(schema::XSD_NS)),
                    _ => ("foo", "1".to_string(), None),
                };
                el.decls.push(("xsi".into(), schema::XSI_NS.into()));
                if let Some(ns) = tns {
                    el.decls.push(("tns".into(), ns.into()));
                }
                el.attrs.push((format!("xsi:{name}"), value.clone()));
                let tns = tns.map_or(String::new(), |ns| format!(" (tns = {ns})"));
                Some(format!("attribute xsi:{name}=\"{value}\"{tns} added to {}", or_root(&s.label)))
            }
            Kind::RootAttributes => {
                let root = &mut tree.root;
                let desc = match rng_val % 6 {
                    0 => {
                        root.attrs.retain(|(n, _)| n != "guid");
                        "root guid removed"
                    }
                    1 => {
                        root.attrs.retain(|(n, _)| n != "version");
                        "root version removed"
                    }
                    2 => {
                        root.attrs.clear();
                        "root guid and version removed"
                    }
                    3 => {
                        root.attrs.iter_mut().find(|(n, _)| n == "guid")?.1.pop();
                        "root guid one character short"
                    }
                    4 => {
                        root.attrs.iter_mut().find(|(n, _)| n == "version")?.1 = String::new();
                        "root version empty"
                    }
                    _ => {
                        root.attrs.iter_mut().find(|(n, _)| n == "version")?.1 = "1.0.0.0.0.0".into();
                        "root version 11 characters"
                    }
                };
                Some(desc.to_string())
            }
            Kind::TextInElementOnly => {
                let s = self.pick_site(base, |s| s.parts().is_some() || s.in_signature)?;
                let el = tree.at(&s.path);
                if !s.element_only(el) {
                    return None;
                }
                let at = self.rng.below(el.children.len() + 1);
                let node = match rng_val % 9 {
                    0 | 1 => Node::Text("stray text".into()),
                    2 => Node::Text(" \n\t ".into()),
                    3 => Node::Raw("&#x20;&#x9;".into()),
                    4 => Node::Raw("&#160;".into()),
                    5 => Node::Raw("<![CDATA[x]]>".into()),
                    6 if rng_val.is_multiple_of(2) => Node::Raw("<![CDATA[ ]]>".into()),
                    6 => Node::Raw("<![CDATA[]]>".into()),
                    7 => Node::Comment(" a comment ".into()),
                    _ => Node::Pi("cbec".into(), "note".into()),
                };
                let shown = format!("{node:?}");
                el.children.insert(at, node);
                Some(format!("{shown} inserted into element-only {} at child {at}", or_root(&s.label)))
            }
            Kind::ChildInSimple => {
                let s = self.pick_site(base, |s| s.simple_type().is_some())?;
                let el = tree.at(&s.path);
                let mut child =
                    El::new(el.sibling_name(if rng_val.is_multiple_of(2) { "value" } else { el.local() }), None);
                child.set_text("1");
                let name = child.qname.clone();
                if rng_val.is_multiple_of(3) {
                    el.children.clear();
                }
                let at = self.rng.below(el.children.len() + 1);
                el.children.insert(at, Node::El(child));
                Some(format!("child <{name}> inserted into simple element {}", s.label))
            }
            Kind::FixedValue => {
                let s = self.pick_site(base, |s| s.decl.is_some_and(|d| d.fixed.is_some()))?;
                let fixed = s.decl?.fixed?;
                let el = tree.at(&s.path);
                let v = match rng_val % 6 {
                    0 => String::new(),
                    1 => fixed.to_string(),
                    2 => {
                        if fixed == "142" {
                            "143".into()
                        } else {
                            "2".into()
                        }
                    }
                    3 => format!(" {fixed}"),
                    4 => format!("{fixed}0"),
                    _ => "   ".into(),
                };
                el.set_text(&v);
                el.self_close = rng_val.is_multiple_of(2);
                Some(format!("fixed {} ({fixed}) set to {v:?}", s.label))
            }
            Kind::DefaultValue => {
                let s = self.pick_site(base, |s| s.decl.is_some_and(|d| d.default.is_some()))?;
                let default = s.decl?.default?;
                let el = tree.at(&s.path);
                match rng_val % 6 {
                    0 | 1 => el.children.clear(),
                    2 => el.set_text(" "),
                    3 => el.children = vec![Node::Comment("empty".into())],
                    4 => el.set_text(default),
                    _ => el.children = vec![Node::Raw("<![CDATA[]]>".into())],
                }
                el.self_close = rng_val % 4 == 1;
                let shown = format!("{:?}", el.children);
                Some(format!("{} (default {default}) set to {shown}", s.label))
            }
            Kind::SplitValue => {
                let s = self.pick_site(base, |s| s.simple_type().is_some())?;
                let el = tree.at(&s.path);
                let text = el.text();
                let cut = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([text.len()])
                    .nth(self.rng.below(text.chars().count() + 1))?;
                let middle = match rng_val % 3 {
                    0 => Node::Comment("split".into()),
                    1 => Node::Pi("cbec".into(), "split".into()),
                    _ => Node::Raw("<![CDATA[]]>".into()),
                };
                let shown = format!("{middle:?}");
                el.children = vec![Node::Text(text[..cut].to_string()), middle, Node::Text(text[cut..].to_string())];
                el.children.retain(|n| !matches!(n, Node::Text(t) if t.is_empty()));
                Some(format!("{} value {text:?} split at byte {cut} by {shown}", s.label))
            }
            Kind::RecordLimits => None,
            Kind::ChildNamespace => {
                // The right local name in the wrong namespace.
                let s = self.pick_site(base, |s| s.particle.is_some())?;
                let el = tree.at(&s.path);
                let local = el.local().to_string();
                let desc = match rng_val % 3 {
                    0 => {
                        el.qname = format!("x:{local}");
                        el.decls.push(("x".into(), "urn:example:other".into()));
                        "a foreign namespace"
                    }
                    1 => {
                        el.qname = local.clone();
                        el.decls.push((String::new(), String::new()));
                        "no namespace"
                    }
                    _ => {
                        el.qname = format!("x:{local}");
                        el.decls.push(("x".into(), schema::DXP_NS.into()));
                        "the DXP namespace"
                    }
                };
                // Descendants written with the old prefix keep their namespace.
                Some(format!("{} moved to {desc}", s.label))
            }
            Kind::SignatureText => {
                let s = self.pick_site(base, |s| s.in_signature)?;
                let el = tree.at(&s.path);
                let v = *self.rng.pick(&[
                    "",
                    "  ",
                    "AAAA",
                    "AAA",
                    "AA==",
                    "AB==",
                    "AAB=",
                    "AAE=",
                    "A===",
                    "AA=A",
                    "@@@@",
                    "AAAA\nBBBB",
                    "AB CD",
                    "====",
                    "x",
                    "QQ==\n",
                    "QQ==AAAA",
                ]);
                let had_elements = el.children.iter().any(|n| matches!(n, Node::El(_)));
                if had_elements && rng_val.is_multiple_of(2) {
                    el.children.insert(0, Node::Text(v.to_string()));
                } else {
                    el.set_text(v);
                }
                Some(format!("{} text set to {v:?} (had elements: {had_elements})", s.label))
            }
            Kind::SignatureAttribute => {
                let (name, value) = *self.rng.pick(&[
                    ("Id", "sig-1"),
                    ("Id", "1a"),
                    ("Id", "a b"),
                    ("Id", ""),
                    ("URI", ""),
                    ("URI", "#x"),
                    ("URI", "a b"),
                    ("URI", "http://[::1"),
                    ("URI", "http://[::1]:80/a"),
                    ("URI", "%zz"),
                    ("URI", "x#a#b"),
                    ("URI", "a[b]"),
                    ("URI", "#a[b]"),
                    ("Algorithm", "http://h:x"),
                    ("Algorithm", "中文:x"),
                    ("Algorithm", ""),
                    ("Algorithm", "urn:x"),
                    ("Type", "urn:x"),
                ]);
                // Mostly on elements that declare the attribute.
                let declared_on: &[&str] = match name {
                    "Id" => &["Signature", "Reference", "KeyInfo"],
                    "Algorithm" => &["CanonicalizationMethod", "SignatureMethod", "DigestMethod", "Transform"],
                    _ => &["Reference"],
                };
                let on_declared = !rng_val.is_multiple_of(5);
                let s = self.pick_site(base, |s| {
                    s.in_signature
                        && (!on_declared || declared_on.iter().any(|n| s.label.rsplit('/').next() == Some(n)))
                })?;
                let el = tree.at(&s.path);
                match el.attrs.iter_mut().find(|(n, _)| n == name) {
                    Some(a) => a.1 = value.to_string(),
                    None => el.attrs.push((name.to_string(), value.to_string())),
                }
                let mut desc = format!("{} attribute {name}=\"{value}\"", s.label);
                if name == "Id" && rng_val.is_multiple_of(3) {
                    // The same Id on a second element: IDs must be unique.
                    let other = base.sites.iter().find(|o| {
                        o.in_signature
                            && o.path != s.path
                            && ["Signature", "Reference", "KeyInfo"]
                                .iter()
                                .any(|n| o.label.rsplit('/').next() == Some(n))
                    });
                    if let Some(o) = other {
                        tree.at(&o.path).attrs.push(("Id".into(), value.to_string()));
                        desc.push_str(&format!(" and on {}", o.label));
                    }
                }
                Some(desc)
            }
            Kind::CharReferences => {
                let s = self.pick_site(base, |s| s.simple_type().is_some())?;
                let el = tree.at(&s.path);
                let text = el.text();
                if text.is_empty() {
                    return None;
                }
                let raw: String = text
                    .chars()
                    .map(|c| {
                        if rng_val.is_multiple_of(2) {
                            format!("&#{};", c as u32)
                        } else {
                            format!("&#x{:X};", c as u32)
                        }
                    })
                    .collect();
                el.children = vec![Node::Raw(raw)];
                Some(format!("{} value {text:?} written as character references", s.label))
            }
        }
    }
}

/// Every bounded repetition at the top of each official sample (records,
/// `BaseSubscribe`, the items of the first record) filled to exactly its
/// `maxOccurs` and to one more.
fn limit_mutants(bases: &[BaseDoc]) -> Vec<Mutant> {
    let mut out = Vec::new();
    for base in bases.iter().filter(|b| !b.name.starts_with("encode(")) {
        let schema = base.schema;
        let top =
            base.sites.iter().filter(|s| s.path.len() <= 1 && (!s.label.contains('[') || s.label.ends_with("[1]")));
        for site in top {
            let Some(parts) = site.parts() else { continue };
            for (pi, p) in parts.iter().enumerate().filter(|(_, p)| p.max > 1 && p.max != u32::MAX) {
                let d = &schema.elements[p.elem];
                for target in [p.max as usize, p.max as usize + 1] {
                    let mut tree = base.tree.clone();
                    let el = tree.at(&site.path);
                    let existing: Vec<usize> = (0..el.children.len())
                        .filter(
                            |&i| matches!(&el.children[i], Node::El(c) if particle_index(schema, parts, c) == Some(pi)),
                        )
                        .collect();
                    let proto = match existing.first() {
                        Some(&i) => el.children[i].clone(),
                        None => match synth(schema, d, el.prefix()) {
                            Some(e) => Node::El(e),
                            None => continue,
                        },
                    };
                    let at = insertion_point(schema, parts, el, pi);
                    for _ in existing.len()..target {
                        el.children.insert(at, proto.clone());
                    }
                    out.push(Mutant {
                        kind: Some(Kind::RecordLimits),
                        desc: format!(
                            "{}: {} holds {target} {} (maxOccurs {})",
                            base.name,
                            or_root(&site.label),
                            d.name,
                            p.max
                        ),
                        xml: tree.to_xml(),
                    });
                }
            }
        }
    }
    out
}

fn or_root(label: &str) -> &str {
    if label.is_empty() { "the root" } else { label }
}

// ----------------------------------------------------------------- oracle

fn xmllint_message(xsd: &Path, file: &Path) -> String {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(xsd)
        .arg(file)
        .output()
        .expect("run xmllint");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn xsd_of_root(xml: &str, fallback: &'static str) -> &'static str {
    let Ok(doc) = Document::parse(xml, &Limits::default()) else { return fallback };
    let root = doc.root();
    schema::find_root(root.namespace(), root.local_name()).map_or(fallback, |(s, _)| s.name)
}

fn bases() -> Vec<BaseDoc> {
    let samples: Vec<(PathBuf, Vec<u8>)> = samples();
    let dir = tempdir();
    let lenient = DecodeOptions { lenient: true, ..DecodeOptions::default() };
    // Candidates: every sample as published, and the encoder's output for it.
    let mut cands: Vec<(String, Vec<u8>)> = Vec::new();
    for (path, bytes) in &samples {
        let name = path.strip_prefix(spec_dir().join("samples")).unwrap_or(path).display().to_string();
        cands.push((name.clone(), bytes.clone()));
        if let Ok(d) = decode(bytes, &DecodeOptions::default()).or_else(|_| decode(bytes, &lenient)) {
            cands.push((format!("encode({name})"), encode(&d.message).into_bytes()));
        }
    }
    let mut by_schema: BTreeMap<&'static str, Vec<(usize, PathBuf)>> = BTreeMap::new();
    for (i, (_, bytes)) in cands.iter().enumerate() {
        let text =
            String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes)).into_owned();
        let schema = xsd_of_root(&text, "none");
        if schema == "none" {
            continue;
        }
        let f = dir.join(format!("base-{i:03}.xml"));
        std::fs::write(&f, bytes).expect("write base");
        by_schema.entry(schema).or_default().push((i, f));
    }
    let mut out = Vec::new();
    for (schema_name, files) in by_schema {
        let paths: Vec<PathBuf> = files.iter().map(|(_, f)| f.clone()).collect();
        for ((i, _), ok) in files.iter().zip(xmllint_verdicts(&xsd_for(schema_name), &paths)) {
            if !ok {
                continue;
            }
            let (name, bytes) = &cands[*i];
            let tree = parse_tree(bytes);
            let schema = schema::schemas().into_iter().find(|s| s.name == schema_name).expect("schema");
            let sites = collect_sites(schema, &tree);
            out.push(BaseDoc { name: name.clone(), schema, tree, sites });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[test]
fn validator_agrees_with_xmllint_on_seeded_mutations() {
    let bases = bases();
    assert!(bases.len() >= 40, "only {} schema-valid base documents", bases.len());
    let official_valid = bases.iter().filter(|b| !b.name.starts_with("encode(")).count();
    assert!(official_valid >= 29, "only {official_valid} official samples are schema-valid");

    // The unmutated bases (serialized by the mutator) come first: they check
    // the serializer as much as the validator.
    let mut mutants: Vec<Mutant> = bases
        .iter()
        .map(|b| Mutant { kind: None, desc: format!("{}: unmutated", b.name), xml: b.tree.to_xml() })
        .collect();
    let seed = std::env::var("CBEC_MUTATION_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(SEED);
    let mut generator = Gen { rng: Rng::new(seed), bases: &bases };
    let mut per_kind: BTreeMap<Kind, usize> = BTreeMap::new();
    for &kind in KINDS {
        for _ in 0..PER_KIND {
            if let Some(m) = generator.make(kind) {
                *per_kind.entry(kind).or_default() += 1;
                mutants.push(m);
            }
        }
    }
    mutants.extend(limit_mutants(&bases));
    for &kind in KINDS {
        let n = per_kind.get(&kind).copied().unwrap_or(0);
        assert!(n >= PER_KIND / 2, "mutation kind {kind:?} applied only {n} times");
    }

    // Write and judge.
    let dir = tempdir();
    let mut groups: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
    let mut files = Vec::with_capacity(mutants.len());
    for (i, m) in mutants.iter().enumerate() {
        let kind = m.kind.map_or("base".to_string(), |k| format!("{k:?}"));
        let f = dir.join(format!("{i:04}-{kind}.xml"));
        std::fs::write(&f, &m.xml).expect("write mutant");
        files.push(f);
        groups.entry(xsd_of_root(&m.xml, base_schema_of(&bases, &m.desc))).or_default().push(i);
    }
    let mut lint = vec![false; mutants.len()];
    let mut index = String::new();
    let mut xsd_of = vec![PathBuf::new(); mutants.len()];
    for (schema_name, idx) in &groups {
        let xsd = xsd_for(schema_name);
        let paths: Vec<PathBuf> = idx.iter().map(|&i| files[i].clone()).collect();
        for (&i, ok) in idx.iter().zip(xmllint_verdicts(&xsd, &paths)) {
            lint[i] = ok;
            xsd_of[i] = xsd.clone();
        }
    }

    let limits = Limits::default();
    let mut failures = Vec::new();
    let mut split: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (i, m) in mutants.iter().enumerate() {
        let kind = m.kind.map_or("base".to_string(), |k| format!("{k:?}"));
        let e = split.entry(kind).or_default();
        if lint[i] {
            e.0 += 1
        } else {
            e.1 += 1
        }

        let report = validate_schema(m.xml.as_bytes(), &limits);
        let strict = decode(m.xml.as_bytes(), &DecodeOptions::default());
        let mut problems = Vec::new();
        if report.is_valid() != lint[i] {
            problems.push(format!("validate_schema says valid={}, xmllint says valid={}", report.is_valid(), lint[i]));
        }
        if strict.is_ok() != lint[i] {
            problems.push(format!("strict decode ok={}, xmllint says valid={}", strict.is_ok(), lint[i]));
        }
        if let (Ok(d), true) = (&strict, lint[i]) {
            let again = decode(encode(&d.message).as_bytes(), &DecodeOptions::default());
            if again.as_ref().map(|a| &a.message) != Ok(&d.message) {
                problems.push(format!("encode/decode round trip changed the message: {:?}", again.err()));
            }
        }
        // Every invalid verdict names a field, except for problems of the
        // root element itself: an unknown root, an unreadable document, text
        // directly in the root.
        if !report.is_valid() {
            let root_level = report.diagnostics.iter().any(|d| {
                d.code == Code::SchemaUnknownRoot
                    || d.code.as_str().starts_with("xml.")
                    || (d.code == Code::SchemaUnexpectedText && d.path.is_empty())
            });
            let located = report.diagnostics.iter().any(|d| d.is_error() && !d.path.is_empty());
            if !located && !root_level {
                problems.push("no error diagnostic has a path".into());
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}\n  mutation: {}\n  {}\n  cbec diagnostics: {:#?}\n  strict decode: {:?}\n  xmllint: {}",
                files[i].display(),
                m.desc,
                problems.join("\n  "),
                report.diagnostics,
                strict.as_ref().err(),
                xmllint_message(&xsd_of[i], &files[i]).trim_end(),
            ));
        }
    }

    for (i, m) in mutants.iter().enumerate() {
        let _ = writeln!(index, "{}\t{}\t{}", files[i].display(), if lint[i] { "valid" } else { "invalid" }, m.desc);
    }
    std::fs::write(dir.join("index.txt"), index).expect("write index");
    let total = mutants.len() - bases.len();
    let valid = (bases.len()..mutants.len()).filter(|&i| lint[i]).count();
    println!("seed {seed}: {} base documents, {total} mutants: {valid} valid, {} invalid", bases.len(), total - valid);
    for (kind, (v, inv)) in &split {
        println!("  {kind:<20} {v:>4} valid {inv:>4} invalid");
    }
    assert!(failures.is_empty(), "{} disagreement(s):\n\n{}", failures.len(), failures.join("\n\n"));
    assert!(total >= 600, "only {total} mutants");
    assert!((total - valid) * 100 > total * 30, "only {} of {total} mutants are invalid", total - valid);
    assert!(valid * 100 > total * 10, "only {valid} of {total} mutants are valid");
}

/// The schema of the base a mutant came from (its description starts with
/// the base name).
fn base_schema_of(bases: &[BaseDoc], desc: &str) -> &'static str {
    bases.iter().find(|b| desc.starts_with(&format!("{}: ", b.name))).map_or("import", |b| b.schema.name)
}
