//! Differential test on every sample message under `spec/samples/`: our
//! output must equal libxml2's byte for byte.

use std::path::{Path, PathBuf};

use cbec_dsig::c14n::Method;

use crate::support::{self, LxmlJob, Mismatches, Scratch};

const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

fn sample_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "xml") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/samples"), &mut files);
    files.sort();
    files
}

fn excl() -> Method {
    Method::Exclusive { inclusive_prefixes: Vec::new() }
}

#[test]
fn samples_match_xmllint_and_lxml() {
    support::require_xmllint();
    let files = sample_files();
    assert!(files.len() >= 40, "expected the 42 sample messages, found {}", files.len());
    let mut m = Mismatches::default();
    let mut jobs = Vec::new();
    let mut expected = Vec::new();
    for path in &files {
        let text = support::read_text(path);
        let doc = support::parse(&text);
        // xmllint keeps comments: compare the #WithComments methods.
        for (flag, method) in [
            ("--c14n", Method::InclusiveWithComments),
            ("--exc-c14n", Method::ExclusiveWithComments { inclusive_prefixes: Vec::new() }),
        ] {
            let reference = support::xmllint(flag, path);
            m.compare(
                || format!("{} with xmllint {flag}", path.display()),
                &support::ours(&doc, None, &method),
                &reference,
            );
        }
        // Without comments (and the SignedInfo subtrees): lxml, same libxml2.
        for method in [Method::Inclusive, excl()] {
            expected.push((path.clone(), None, support::ours(&doc, None, &method)));
            jobs.push(LxmlJob { path: path.clone(), element: None, method });
        }
        let all = support::elements(&doc);
        for (index, &id) in all.iter().enumerate() {
            let e = doc.element(id).unwrap();
            // The first child of the root, and every ds:SignedInfo.
            let first_child = e.parent().is_some_and(|p| p.parent().is_none() && p.child_elements().next() == Some(e));
            if !(first_child || e.is(DSIG_NS, "SignedInfo")) {
                continue;
            }
            for method in [
                Method::Inclusive,
                excl(),
                Method::Exclusive { inclusive_prefixes: vec!["ceb".into(), "#default".into()] },
            ] {
                expected.push((path.clone(), Some(e.qname().to_owned()), support::ours(&doc, Some(id), &method)));
                jobs.push(LxmlJob { path: path.clone(), element: Some(index), method });
            }
        }
    }
    let scratch = Scratch::new("samples");
    let results = support::lxml_batch(&scratch.0, &jobs);
    for ((job, (path, elem, ours)), reference) in jobs.iter().zip(&expected).zip(&results) {
        m.compare(|| format!("{} {elem:?} {:?} with lxml", path.display(), job.method), ours, reference);
    }
    eprintln!("samples: {} files, {} comparisons ({} by lxml)", files.len(), m.compared, jobs.len());
    m.assert_none();
}
