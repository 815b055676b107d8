//! C14N throughput on the real SM2-signed Hainan list (about 4 KB of
//! message plus its signature): the enveloped-signature digest input (whole
//! document, `ds:Signature` excluded) and the `ds:SignedInfo` subtree.

use std::hint::black_box;

use cbec_dsig::c14n::{self, Method, Sink};
use cbec_xml::{Document, Limits};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Counts bytes without storing them: the cost of the walk and escaping
/// alone.
struct Count(usize);

/// The real consumer: SHA-1, the document digest of every CEB signature.
struct Sha1Sink(sha1::Sha1);

impl Sink for Sha1Sink {
    fn write(&mut self, bytes: &[u8]) {
        sha1::Digest::update(&mut self.0, bytes);
    }
}

impl Sink for Count {
    fn write(&mut self, bytes: &[u8]) {
        self.0 += black_box(bytes).len();
    }
}

fn bench(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/samples/real/CEB621Message_sm2_eport_ukey.xml");
    let bytes = std::fs::read(path).expect("sample file");
    let (text, _) = cbec_xml::decode_input(&bytes, usize::MAX).expect("decodable sample");
    let doc = Document::parse(&text, &Limits::default()).expect("well-formed sample");
    let signature = doc.root().child_elements().find(|e| e.is(DSIG_NS, "Signature")).expect("ds:Signature");
    let signed_info = signature.child_elements().find(|e| e.is(DSIG_NS, "SignedInfo")).expect("ds:SignedInfo");
    let (sig_id, si_id) = (signature.id(), signed_info.id());

    let mut whole = Vec::new();
    c14n::canonicalize_document(&doc, &Method::Inclusive, Some(sig_id), &mut whole);
    let mut si = Vec::new();
    c14n::canonicalize_subtree(&doc, si_id, &Method::Inclusive, &mut si);

    let mut g = c.benchmark_group("c14n");
    g.throughput(Throughput::Bytes(whole.len() as u64));
    g.bench_function("document_enveloped_to_vec", |b| {
        let mut out = Vec::with_capacity(whole.len());
        b.iter(|| {
            out.clear();
            c14n::canonicalize_document(black_box(&doc), &Method::Inclusive, Some(sig_id), &mut out);
            black_box(out.len())
        })
    });
    g.bench_function("document_enveloped_count", |b| {
        b.iter(|| {
            let mut sink = Count(0);
            c14n::canonicalize_document(black_box(&doc), &Method::Inclusive, Some(sig_id), &mut sink);
            sink.0
        })
    });
    g.bench_function("document_enveloped_sha1", |b| {
        b.iter(|| {
            let mut sink = Sha1Sink(<sha1::Sha1 as sha1::Digest>::new());
            c14n::canonicalize_document(black_box(&doc), &Method::Inclusive, Some(sig_id), &mut sink);
            sha1::Digest::finalize(sink.0)
        })
    });
    let exclusive = Method::Exclusive { inclusive_prefixes: Vec::new() };
    g.bench_function("document_enveloped_exclusive_to_vec", |b| {
        let mut out = Vec::with_capacity(whole.len());
        b.iter(|| {
            out.clear();
            c14n::canonicalize_document(black_box(&doc), &exclusive, Some(sig_id), &mut out);
            black_box(out.len())
        })
    });
    g.throughput(Throughput::Bytes(si.len() as u64));
    g.bench_function("signed_info_to_vec", |b| {
        let mut out = Vec::with_capacity(si.len());
        b.iter(|| {
            out.clear();
            c14n::canonicalize_subtree(black_box(&doc), si_id, &Method::Inclusive, &mut out);
            black_box(out.len())
        })
    });
    g.finish();

    c.bench_function("parse_then_c14n_document", |b| {
        b.iter(|| {
            let doc = Document::parse(black_box(&text), &Limits::default()).expect("parse");
            let mut sink = Count(0);
            c14n::canonicalize_document(&doc, &Method::Inclusive, None, &mut sink);
            sink.0
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
