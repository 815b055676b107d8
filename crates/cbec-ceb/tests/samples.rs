//! The official samples and the real messages: decoding, round trips, and
//! agreement with xmllint.

#![allow(clippy::unwrap_used)] // a test may unwrap

mod support;

use cbec_ceb::{DecodeOptions, decode, encode, validate_schema};
use cbec_xml::Limits;
use support::*;

fn schema_of(path: &std::path::Path) -> &'static str {
    if path.to_string_lossy().contains("/export/") { "export" } else { "import" }
}

#[test]
fn schema_verdict_agrees_with_xmllint_on_every_sample() {
    let samples = samples();
    for schema in ["import", "export"] {
        let files: Vec<_> = samples.iter().filter(|(p, _)| schema_of(p) == schema).map(|(p, _)| p.clone()).collect();
        let verdicts = xmllint_verdicts(&xsd_for(schema), &files);
        for (f, lint_ok) in files.iter().zip(verdicts) {
            let bytes = std::fs::read(f).unwrap();
            let report = validate_schema(&bytes, &Limits::default());
            assert_eq!(report.is_valid(), lint_ok, "{}: cbec says {:#?}", f.display(), report.diagnostics);
        }
    }
}

#[test]
fn every_sample_decodes_round_trips_and_encodes_valid_xml() {
    let lenient = DecodeOptions { lenient: true, ..DecodeOptions::default() };
    let mut encoded_files = Vec::new();
    for (path, bytes) in samples() {
        let strict = decode(&bytes, &DecodeOptions::default());
        let first = match strict {
            Ok(d) => d,
            Err(diags) => {
                // Only the samples known to fail the XSD may need leniency.
                let d = decode(&bytes, &lenient).unwrap_or_else(|e| panic!("{}: {e:#?}", path.display()));
                assert!(!diags.is_empty());
                d
            }
        };
        let xml = encode(&first.message);
        let again =
            decode(xml.as_bytes(), &lenient).unwrap_or_else(|e| panic!("{}: re-decode {e:#?}\n{xml}", path.display()));
        assert_eq!(first.message, again.message, "{}: round trip changed the message", path.display());
        // And through JSON.
        let json = cbec_ceb::to_json(&first.message);
        let back = cbec_ceb::from_json(&json).unwrap_or_else(|e| panic!("{}: json {e:?}", path.display()));
        assert_eq!(first.message, back, "{}: JSON round trip changed the message", path.display());
        let out = tempdir().join(path.file_name().unwrap());
        std::fs::write(&out, &xml).unwrap();
        encoded_files.push((path, out, first.message.schema().name));
    }
    // Encoded output validates with xmllint, except the unsigned list, which
    // lacks the signature its XSD requires (as the original does).
    for schema in ["import", "export"] {
        let group: Vec<_> = encoded_files.iter().filter(|(_, _, s)| *s == schema).collect();
        let files: Vec<_> = group.iter().map(|(_, o, _)| o.clone()).collect();
        for ((orig, out, _), ok) in group.iter().zip(xmllint_verdicts(&xsd_for(schema), &files)) {
            let unsigned = orig.to_string_lossy().contains("unsigned");
            assert_eq!(ok, !unsigned, "{} encoded as {} validates={ok}", orig.display(), out.display());
        }
    }
}
