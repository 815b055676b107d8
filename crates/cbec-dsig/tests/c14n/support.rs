//! The harness: reference canonicalizers (xmllint, lxml) run as external
//! processes, and our canonicalizer run the same way on the same input.
//! Nothing here installs anything: a missing tool fails the test with a
//! pointer to the project's test script, which installs it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cbec_dsig::c14n::{self, Method};
use cbec_xml::{Document, Limits, NodeId};

pub const INSTALL_HINT: &str =
    "run the project's test script (.ci/run), which installs libxml2-utils (xmllint) and the lxml Python package";

/// A scratch directory under the system temp dir, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("cbec-dsig-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Fails the test unless `xmllint` runs.
pub fn require_xmllint() {
    match Command::new("xmllint").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(_) => {}
        Err(e) => panic!("xmllint is not available ({e}): {INSTALL_HINT}"),
    }
}

/// `xmllint <flag> <path>`: the canonical form libxml2 produces. Note that
/// xmllint's `--c14n` and `--exc-c14n` keep comments (the #WithComments
/// variants); it has no option to drop them.
pub fn xmllint(flag: &str, path: &Path) -> Vec<u8> {
    let out = Command::new("xmllint")
        .arg("--nonet")
        .arg(flag)
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("xmllint is not available ({e}): {INSTALL_HINT}"));
    assert!(out.status.success(), "xmllint {flag} {} failed: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// One canonicalization for lxml to do.
pub struct LxmlJob {
    pub path: PathBuf,
    /// Document-order index of the apex element, or `None` for the whole
    /// document.
    pub element: Option<usize>,
    pub method: Method,
}

const LXML_SCRIPT: &str = r##"
import sys
from lxml import etree
d = sys.argv[1]
with open(d + "/jobs.tsv", encoding="utf-8") as jobs:
    for line in jobs:
        n, path, index, exclusive, comments, prefixes = line.rstrip("\n").split("\t")
        tree = etree.parse(path)
        if index == "-":
            target = tree
        else:
            target = [e for e in tree.getroot().iter() if isinstance(e.tag, str)][int(index)]
            if exclusive != "1":
                # Serializing a subelement declares every namespace in scope
                # on it; canonicalize that as a document.
                target = etree.ElementTree(etree.fromstring(etree.tostring(target, with_tail=False, encoding="utf-8")))
        kw = dict(method="c14n", exclusive=exclusive == "1", with_comments=comments == "1")
        if exclusive == "1" and prefixes:
            # lxml drops "#default" (not a name in the document); libxml2
            # reads "" as the default namespace too.
            kw["inclusive_ns_prefixes"] = ["" if p == "#default" else p for p in prefixes.split(" ")]
        with open(d + "/out" + n, "wb") as out:
            out.write(etree.tostring(target, **kw))
print("done")
"##;

/// Runs every job in one Python process and returns the outputs in order.
///
/// An element apex is canonicalized in document context two ways, because
/// `etree.tostring(elem, method="c14n")` builds a fake document whose root is
/// a copy of `elem` carrying its ancestors' namespaces, and libxml2's
/// inclusive C14N then misses those namespaces below the first level
/// whenever an intermediate element uses one of them (its `xmlSearchNs`
/// returns the original declaration, outside the fake document), so it
/// re-renders redeclarations that C14N calls superfluous. Exclusive C14N
/// compares namespaces by value and is unaffected, so it uses the fake
/// document directly; inclusive C14N canonicalizes, as a whole document,
/// `etree.tostring(elem)`, which declares every in-scope namespace on
/// `elem`. Neither way inherits the ancestors' `xml:*` attributes.
pub fn lxml_batch(dir: &Path, jobs: &[LxmlJob]) -> Vec<Vec<u8>> {
    let mut tsv = String::new();
    for (n, job) in jobs.iter().enumerate() {
        let index = job.element.map_or("-".to_owned(), |i| i.to_string());
        let exclusive = if job.method.is_exclusive() { "1" } else { "0" };
        let comments = if job.method.with_comments() { "1" } else { "0" };
        let prefixes = job.method.inclusive_prefixes().join(" ");
        tsv.push_str(&format!("{n}\t{}\t{index}\t{exclusive}\t{comments}\t{prefixes}\n", job.path.display()));
    }
    std::fs::write(dir.join("jobs.tsv"), tsv).unwrap();
    let mut child = Command::new("python3")
        .arg("-")
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 is not available ({e}): {INSTALL_HINT}"));
    child.stdin.take().unwrap().write_all(LXML_SCRIPT.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("No module named 'lxml'") {
        panic!("the lxml Python package is not installed: {INSTALL_HINT}");
    }
    assert!(out.status.success() && out.stdout.starts_with(b"done"), "the lxml script failed:\n{stderr}");
    (0..jobs.len()).map(|n| std::fs::read(dir.join(format!("out{n}"))).unwrap()).collect()
}

/// Reads a file as our parser sees it (BOM stripped, decoded to UTF-8).
pub fn read_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let (text, _) = cbec_xml::decode_input(&bytes, usize::MAX).unwrap();
    text.into_owned()
}

pub fn parse(text: &str) -> Document<'_> {
    Document::parse(text, &Limits::default()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The elements of a document in document order.
pub fn elements(doc: &Document<'_>) -> Vec<NodeId> {
    let mut all = Vec::new();
    let mut todo = vec![doc.root()];
    while let Some(e) = todo.pop() {
        all.push(e.id());
        let children: Vec<_> = e.child_elements().collect();
        todo.extend(children.into_iter().rev());
    }
    all
}

pub fn ours(doc: &Document<'_>, element: Option<NodeId>, method: &Method) -> Vec<u8> {
    let mut out = Vec::new();
    match element {
        None => c14n::canonicalize_document(doc, method, None, &mut out),
        Some(e) => c14n::canonicalize_subtree(doc, e, method, &mut out),
    }
    out
}

/// Collects mismatches instead of stopping at the first, so one run shows
/// every failing case.
#[derive(Default)]
pub struct Mismatches {
    pub compared: usize,
    pub failures: Vec<String>,
}

impl Mismatches {
    pub fn compare(&mut self, what: impl FnOnce() -> String, ours: &[u8], reference: &[u8]) {
        self.compared += 1;
        if ours != reference {
            let at = ours.iter().zip(reference).take_while(|(a, b)| a == b).count();
            let lo = at.saturating_sub(80);
            self.failures.push(format!(
                "{}\n  first difference at byte {at}\n  ours:      {:?}\n  reference: {:?}",
                what(),
                String::from_utf8_lossy(&ours[lo..(at + 80).min(ours.len())]),
                String::from_utf8_lossy(&reference[lo..(at + 80).min(reference.len())]),
            ));
        }
    }

    #[track_caller]
    pub fn assert_none(&self) {
        let summary: Vec<&str> = self.failures.iter().filter_map(|f| f.lines().next()).collect();
        assert!(
            self.failures.is_empty(),
            "{} of {} comparisons differ:\n{}\n\nThe first ones in full:\n\n{}",
            self.failures.len(),
            self.compared,
            summary.join("\n"),
            self.failures.iter().take(5).cloned().collect::<Vec<_>>().join("\n\n")
        );
    }
}
