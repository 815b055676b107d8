//! Acceptance tests of the signature tools as a user runs them: `cbec
//! keygen`, `cbec sign`, `cbec verify` and `cbec bench verify`, checked
//! against independent implementations: OpenSSL (certificates), xmlsec1
//! (RSA XML-DSig, both directions), lxml + gmssl (SM2 XML-DSig, both
//! directions, `tests/data/sm2_interop.py`) and xmllint (schema validity of
//! signed messages). A missing tool fails the test with a pointer to
//! `scripts/test.sh`, which installs them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run {program} ({e}): it is needed by the signature tests; run scripts/test.sh, which installs it"
        )
    })
}

fn cbec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cbec")).args(args).output().expect("run cbec")
}

/// Fails, pointing at scripts/test.sh, when an independent tool is missing.
fn require(tool: &str) {
    let probe = match tool {
        "python3-lxml-gmssl" => Command::new("python3").args(["-c", "import lxml.etree, gmssl.sm2"]).output(),
        "openssl" => Command::new("openssl").arg("version").output(),
        other => Command::new(other).arg("--version").output(),
    };
    match probe {
        Ok(o) if o.status.success() => {}
        _ => panic!(
            "{tool} is missing: the signature acceptance tests need xmlsec1, xmllint, openssl and python3 with lxml and gmssl; run scripts/test.sh, which installs them"
        ),
    }
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "{}", text(&o));
    o
}

fn spec(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec").join(rel).display().to_string()
}

fn interop_script() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sm2_interop.py").display().to_string()
}

/// A fresh directory for one test.
fn workdir(test: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dsig-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

/// An unsigned, business-valid import list (the fixture's placeholder
/// signature removed).
fn unsigned_list(dir: &Path, seed: u64) -> String {
    let mut m = cbec_fixtures::import_list_message(seed, 3);
    if let cbec_ceb::Message::CEB621Message(l) = &mut m {
        l.signature = cbec_ceb::RawXml(String::new());
    }
    let path = dir.join(format!("unsigned-{seed}.xml"));
    std::fs::write(&path, cbec_ceb::encode(&m)).unwrap();
    p(&path)
}

fn json(o: &Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)));
    v.as_array().expect("a JSON array").clone()
}

/// `cbec keygen` into dir/name; returns the directory.
fn keygen(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut args = vec!["keygen", "--out"];
    let o = p(&out);
    args.push(&o);
    args.extend_from_slice(extra);
    ok(cbec(&args));
    out
}

/// Extracts the UKey vector's certificate as PEM.
fn ukey_certificate(dir: &Path) -> String {
    let xml = std::fs::read_to_string(spec("samples/real/CEB621Message_sm2_eport_ukey.xml")).unwrap();
    let b64 = xml.split("<ds:X509Certificate>").nth(1).unwrap().split('<').next().unwrap();
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    let path = dir.join("eport.pem");
    std::fs::write(&path, pem).unwrap();
    p(&path)
}

#[test]
fn the_ukey_vector_verifies_with_its_own_certificate_and_any_change_fails() {
    require("openssl");
    require("python3-lxml-gmssl");
    let dir = workdir("ukey");
    let cert = ukey_certificate(&dir);
    // OpenSSL reads the real China E-Port SM2 certificate too.
    let o = ok(run("openssl", &["x509", "-in", &cert, "-noout", "-serial", "-dates"]));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("serial=03000000000CDE6F") && s.contains("Mar 29 00:00:00 2033 GMT"), "{s}");

    let vector = spec("samples/real/CEB621Message_sm2_eport_ukey.xml");
    for at in ["2023-03-29T00:00:00Z", "2025-06-01T12:00:00+08:00", "2033-03-29T00:00:00Z"] {
        let o = ok(cbec(&["verify", "--cert", &cert, "--at", at, "--format", "json", &vector]));
        let r = &json(&o)[0];
        assert_eq!(r["valid"], true, "{r}");
        assert_eq!(r["algorithm"], "sm2-sm3");
        assert_eq!(r["digest_algorithm"], "sha1");
        assert_eq!(r["key_name"], "03000000000cde6f");
        assert_eq!(r["serial"], "03000000000cde6f");
        assert_eq!(r["trust"], "pinned");
        assert!(r["subject"].as_str().unwrap().contains("CN="), "{r}");
        assert!(r["code"].is_null());
    }
    let o = cbec(&["verify", "--cert", &cert, "--at", "2033-03-29T00:00:01Z", "--format", "json", &vector]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)[0]["code"], "signature.certificate_expired");
    assert_eq!(json(&o)[0]["spec_code"], "1002");
    // The independent checker agrees that the vector is valid.
    ok(run("python3", &[&interop_script(), "verify", &vector]));

    // Change one character of the business content at a few places.
    let original = std::fs::read_to_string(&vector).unwrap();
    let changes = [
        ("_0034\"", "_0035\""),
        (">48037605991776256<", ">48037605991776258<"),
        (">哈布斯堡<", ">哈布斯堡!<"),
        (">0.07<", ">0.08<"),
        (">ACTIVE IRON<", ">ACTIVE IRoN<"),
        (">46121601BC</ceb:copCode>", ">46121601BD</ceb:copCode>"),
    ];
    for (i, (from, to)) in changes.iter().enumerate() {
        assert!(original.find(from).unwrap() < original.find("<ds:Signature").unwrap());
        let changed = dir.join(format!("changed-{i}.xml"));
        std::fs::write(&changed, original.replacen(from, to, 1)).unwrap();
        let o = cbec(&["verify", "--cert", &cert, "--at", "2025-06-01T00:00:00Z", "--format", "json", &p(&changed)]);
        assert_eq!(o.status.code(), Some(1), "{from}: {}", text(&o));
        let r = &json(&o)[0];
        assert_eq!(r["code"], "signature.digest_mismatch", "{from}: {r}");
        assert_eq!(r["spec_code"], "1004");
        let message = r["message"].as_str().unwrap();
        assert!(message.contains("b2FtM/jHvW4fnJpMMPWk/177RwA="), "names the expected digest: {message}");
        // And the independent checker sees the same.
        let o = run("python3", &[&interop_script(), "verify", &p(&changed)]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    }
}

#[test]
fn the_hainan_and_official_signatures_fail_with_the_right_codes() {
    let o = cbec(&["verify", "--format", "json", &spec("samples/real/CEB621Message_signed_hainan.xml")]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)[0]["code"], "signature.certificate_unparsable", "{}", text(&o));

    let mut signed = Vec::new();
    for dir in ["samples/import", "samples/export"] {
        for e in std::fs::read_dir(spec(dir)).unwrap() {
            let path = e.unwrap().path();
            if std::fs::read_to_string(&path).unwrap().contains("<ds:Signature") {
                signed.push(p(&path));
            }
        }
    }
    assert_eq!(signed.len(), 19);
    let mut args = vec!["verify", "--format", "json"];
    args.extend(signed.iter().map(String::as_str));
    let o = cbec(&args);
    assert_eq!(o.status.code(), Some(1));
    let reports = json(&o);
    assert_eq!(reports.len(), 19);
    for r in &reports {
        assert_eq!(r["valid"], false);
        assert_eq!(r["code"], "signature.digest_mismatch", "{r}");
        for key in ["file", "message", "algorithm", "digest_algorithm", "key_name", "subject", "serial"] {
            assert!(r.get(key).is_some(), "lacks {key}: {r}");
        }
    }
    let rsa = reports.iter().find(|r| r["file"].as_str().unwrap().ends_with("CEB701Message.xml")).unwrap();
    assert_eq!(rsa["algorithm"], "rsa-sha1");
    assert_eq!(rsa["key_name"], "0001");
}

#[test]
fn keygen_certificates_are_read_by_openssl() {
    require("openssl");
    let dir = workdir("keygen");
    let rsa_ca =
        keygen(&dir, "rsa-ca", &["--alg", "rsa", "--is-ca", "--subject", "CN=Test RSA CA,O=cbec,C=CN", "--days", "30"]);
    let rsa =
        keygen(&dir, "rsa", &["--alg", "rsa", "--ca", &p(&rsa_ca), "--subject", "CN=RSA Signer,O=Example Ltd,C=CN"]);
    let sm2_ca = keygen(&dir, "sm2-ca", &["--alg", "sm2", "--is-ca", "--subject", "CN=Test SM2 CA,O=cbec,C=CN"]);
    let sm2 = keygen(&dir, "sm2", &["--alg", "sm2", "--ca", &p(&sm2_ca)]);
    let selfsigned = keygen(&dir, "self", &["--alg", "sm2"]);

    let show = |d: &Path| {
        String::from_utf8_lossy(
            &ok(run("openssl", &["x509", "-text", "-noout", "-in", &p(&d.join("cert.pem"))])).stdout,
        )
        .into_owned()
    };
    let t = show(&rsa_ca);
    assert!(t.contains("CA:TRUE") && t.contains("sha256WithRSAEncryption") && t.contains("2048 bit"), "{t}");
    assert!(t.contains("Certificate Sign"), "{t}");
    let t = show(&rsa);
    assert!(t.contains("CA:FALSE") && t.contains("Issuer: C = CN, O = cbec, CN = Test RSA CA"), "{t}");
    assert!(t.contains("Digital Signature, Non Repudiation"), "{t}");
    let t = show(&sm2);
    assert!(t.contains("SM2") && t.contains("Test SM2 CA"), "{t}");
    show(&selfsigned);
    for d in [&rsa_ca, &rsa, &sm2_ca, &sm2] {
        ok(run("openssl", &["pkey", "-in", &p(&d.join("key.pem")), "-noout"]));
    }
    // OpenSSL checks the issuer signatures, RSA and SM2 (with the default
    // SM2 ID, which OpenSSL 3 does not assume for certificates).
    ok(run("openssl", &["verify", "-CAfile", &p(&rsa_ca.join("cert.pem")), &p(&rsa.join("cert.pem"))]));
    ok(run(
        "openssl",
        &[
            "verify",
            "-vfyopt",
            "distid:1234567812345678",
            "-CAfile",
            &p(&sm2_ca.join("cert.pem")),
            &p(&sm2.join("cert.pem")),
        ],
    ));
    let o = run("openssl", &["verify", "-CAfile", &p(&rsa_ca.join("cert.pem")), &p(&sm2.join("cert.pem"))]);
    assert!(!o.status.success());

    // keygen refuses to overwrite, and reports bad input as usage errors.
    assert_eq!(cbec(&["keygen", "--alg", "sm2", "--out", &p(&sm2)]).status.code(), Some(2));
    ok(cbec(&["keygen", "--alg", "sm2", "--out", &p(&sm2), "--force", "--ca", &p(&sm2_ca)]));
    let o = cbec(&["keygen", "--alg", "sm2", "--out", &p(&dir.join("x")), "--subject", "not a name"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = cbec(&["keygen", "--alg", "sm2", "--out", &p(&dir.join("y")), "--ca", &p(&sm2)]);
    assert_eq!(o.status.code(), Some(2), "a non-CA cannot issue: {}", text(&o));
}

/// An xmlsec1 template: the unsigned message with an empty enveloped
/// signature (inclusive C14N) as the last child of the root.
fn xmlsec_template(unsigned: &str, method: &str, digest: &str) -> String {
    let text = std::fs::read_to_string(unsigned).unwrap();
    let at = text.rfind("</").unwrap();
    let template = format!(
        "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n<ds:SignedInfo>\n\
         <ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>\n\
         <ds:SignatureMethod Algorithm=\"{method}\"/>\n<ds:Reference URI=\"\">\n<ds:Transforms>\
         <ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/></ds:Transforms>\n\
         <ds:DigestMethod Algorithm=\"{digest}\"/>\n<ds:DigestValue/>\n</ds:Reference>\n</ds:SignedInfo>\n\
         <ds:SignatureValue/>\n<ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>\n</ds:Signature>\n"
    );
    format!("{}{template}{}", &text[..at], &text[at..])
}

#[test]
fn xmlsec1_rsa_signatures_verify_in_cbec() {
    require("xmlsec1");
    let dir = workdir("xmlsec-sign");
    let ca = keygen(&dir, "ca", &["--alg", "rsa", "--is-ca"]);
    let leaf = keygen(&dir, "leaf", &["--alg", "rsa", "--ca", &p(&ca)]);
    let unsigned = unsigned_list(&dir, 1);
    for (method, digest) in [
        ("http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#sha1"),
        ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2001/04/xmlenc#sha256"),
    ] {
        let template = dir.join("template.xml");
        std::fs::write(&template, xmlsec_template(&unsigned, method, digest)).unwrap();
        let signed = dir.join("xmlsec-signed.xml");
        let key_and_cert = format!("{},{}", p(&leaf.join("key.pem")), p(&leaf.join("cert.pem")));
        ok(run("xmlsec1", &["--sign", "--privkey-pem", &key_and_cert, "--output", &p(&signed), &p(&template)]));
        let o = ok(cbec(&["verify", "--trust", &p(&ca.join("cert.pem")), "--format", "json", &p(&signed)]));
        let r = &json(&o)[0];
        assert_eq!(r["trust"], "chained", "{r}");
        assert_eq!(r["algorithm_uri"], method);
        assert_eq!(r["digest_uri"], digest);
        // Tampering is caught the same way.
        let tampered = dir.join("tampered.xml");
        std::fs::write(&tampered, std::fs::read_to_string(&signed).unwrap().replacen("<ceb:qty>", "<ceb:qty>1", 1))
            .unwrap();
        let o = cbec(&["verify", "--trust", &p(&ca.join("cert.pem")), "--format", "json", &p(&tampered)]);
        assert_eq!(json(&o)[0]["code"], "signature.digest_mismatch");
    }
}

#[test]
fn cbec_rsa_signatures_verify_in_xmlsec1() {
    require("xmlsec1");
    let dir = workdir("xmlsec-verify");
    let ca = keygen(&dir, "ca", &["--alg", "rsa", "--is-ca"]);
    let leaf = keygen(&dir, "leaf", &["--alg", "rsa", "--ca", &p(&ca)]);
    let unsigned = unsigned_list(&dir, 2);
    let hainan = spec("samples/real/CEB621Message_unsigned_hainan.xml");
    let export = dir.join("export-unsigned.xml");
    let sample = std::fs::read_to_string(spec("samples/export/CEB701Message.xml")).unwrap();
    let (a, b) = (sample.find("<ds:Signature").unwrap(), sample.find("</ds:Signature>").unwrap() + 15);
    std::fs::write(&export, format!("{}{}", &sample[..a], &sample[b..])).unwrap();
    let cases: [(&str, &[&str]); 4] = [
        (unsigned.as_str(), &[]),
        (hainan.as_str(), &["--alg", "rsa-sha256", "--digest", "sha256"]),
        (unsigned.as_str(), &["--c14n", "exclusive"]),
        (p(&export).leak(), &["--alg", "rsa-sha256"]),
    ];
    for (i, (input, extra)) in cases.iter().enumerate() {
        let signed = dir.join(format!("signed-{i}.xml"));
        let (key, cert, out) = (p(&leaf.join("key.pem")), p(&leaf.join("cert.pem")), p(&signed));
        let mut args = vec!["sign", "--key", &key, "--cert", &cert, "-o", &out];
        args.extend_from_slice(extra);
        args.push(input);
        ok(cbec(&args));
        let o = run("xmlsec1", &["--verify", "--trusted-pem", &p(&ca.join("cert.pem")), &out]);
        assert!(o.status.success(), "case {i} {extra:?}: {}", text(&o));
        ok(cbec(&["verify", "--trust", &p(&ca.join("cert.pem")), &out]));
        // xmlsec1 also refuses a tampered copy (the checker is real).
        let tampered = dir.join(format!("tampered-{i}.xml"));
        let body = std::fs::read_to_string(&signed).unwrap();
        let at = body.find("<ceb:").unwrap() + 5;
        std::fs::write(&tampered, format!("{}{}", &body[..at], body[at..].replacen("01", "02", 1))).unwrap();
        let o = run("xmlsec1", &["--verify", "--trusted-pem", &p(&ca.join("cert.pem")), &p(&tampered)]);
        assert!(!o.status.success(), "case {i}: xmlsec1 accepted a tampered document");
    }
}

#[test]
fn cbec_sm2_signatures_verify_with_lxml_and_gmssl() {
    require("python3-lxml-gmssl");
    let dir = workdir("sm2-to-python");
    let ca = keygen(&dir, "ca", &["--alg", "sm2", "--is-ca"]);
    let leaf = keygen(&dir, "leaf", &["--alg", "sm2", "--ca", &p(&ca)]);
    let unsigned = unsigned_list(&dir, 3);
    let hainan = spec("samples/real/CEB621Message_unsigned_hainan.xml");
    for (i, (input, digest)) in
        [(&unsigned, "sha1"), (&unsigned, "sm3"), (&hainan, "sha256"), (&hainan, "sha1")].iter().enumerate()
    {
        let out = p(&dir.join(format!("signed-{i}.xml")));
        let (key, cert) = (p(&leaf.join("key.pem")), p(&leaf.join("cert.pem")));
        ok(cbec(&["sign", "--key", &key, "--cert", &cert, "--digest", digest, "-o", &out, input]));
        let signed = std::fs::read_to_string(&out).unwrap();
        assert!(signed.contains("Algorithm=\"http://www.w3.org/2000/09/xmldsig#sm2-sm3\""));
        let o = run("python3", &[&interop_script(), "verify", &out]);
        assert!(o.status.success(), "case {i}: {}", text(&o));
        let tampered = p(&dir.join(format!("tampered-{i}.xml")));
        std::fs::write(&tampered, signed.replacen("<ceb:qty>", "<ceb:qty>7", 1)).unwrap();
        assert_eq!(run("python3", &[&interop_script(), "verify", &tampered]).status.code(), Some(1));
    }
    // Signed to stdout by default.
    let o = ok(cbec(&["sign", "--key", &p(&leaf.join("key.pem")), "--cert", &p(&leaf.join("cert.pem")), &unsigned]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("</ds:Signature>"));
}

#[test]
fn gmssl_sm2_signatures_verify_in_cbec() {
    require("python3-lxml-gmssl");
    let dir = workdir("sm2-from-python");
    let ca = keygen(&dir, "ca", &["--alg", "sm2", "--is-ca"]);
    let leaf = keygen(&dir, "leaf", &["--alg", "sm2", "--ca", &p(&ca)]);
    let unsigned = unsigned_list(&dir, 4);
    for (i, extra) in
        [vec![], vec!["--der"], vec!["--digest", "sm3"], vec!["--digest", "sha256", "--der"]].into_iter().enumerate()
    {
        let out = p(&dir.join(format!("gmssl-{i}.xml")));
        let (key, cert) = (p(&leaf.join("key.pem")), p(&leaf.join("cert.pem")));
        let mut args = vec![interop_script(), "sign".into(), unsigned.clone(), key, cert, out.clone()];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(run("python3", &args));
        let o = cbec(&["verify", "--trust", &p(&ca.join("cert.pem")), "--format", "json", &out]);
        assert_eq!(o.status.code(), Some(0), "case {i} {extra:?}: {}", text(&o));
        assert_eq!(json(&o)[0]["trust"], "chained");
        // Pinned by the serial in KeyName as well.
        let serial = json(&o)[0]["serial"].as_str().unwrap().to_owned();
        ok(cbec(&["verify", "--serial", &serial, &out]));
    }
}

#[test]
fn signed_messages_stay_schema_valid() {
    require("xmllint");
    let dir = workdir("xmllint");
    let key = keygen(&dir, "k", &["--alg", "sm2"]);
    let unsigned = unsigned_list(&dir, 5);
    let with_extend = dir.join("with-extend.xml");
    std::fs::write(
        &with_extend,
        std::fs::read_to_string(&unsigned).unwrap().replacen(
            "</ceb:BaseTransfer>",
            "</ceb:BaseTransfer>\n  <ceb:ExtendMessage><ceb:name>n</ceb:name><ceb:version>1</ceb:version><ceb:Message><x xmlns=\"urn:x\"/></ceb:Message></ceb:ExtendMessage>",
            1,
        ),
    )
    .unwrap();
    let export = dir.join("export.xml");
    let sample = std::fs::read_to_string(spec("samples/export/CEB213Message.xml")).unwrap();
    let (a, b) = (sample.find("<ds:Signature").unwrap(), sample.find("</ds:Signature>").unwrap() + 15);
    let stripped = format!("{}{}", &sample[..a], &sample[b..]);
    let close = stripped.rfind("</ceb:CEB213Message>").unwrap();
    std::fs::write(
        &export,
        format!(
            "{}<ceb:ExtendMessage><ceb:name>n</ceb:name><ceb:version>1</ceb:version><ceb:Message><x xmlns=\"urn:x\"/></ceb:Message></ceb:ExtendMessage>\n{}",
            &stripped[..close],
            &stripped[close..]
        ),
    )
    .unwrap();
    for (input, xsd) in [
        (unsigned.clone(), "xsd/ceb-import-202205.xsd"),
        (p(&with_extend), "xsd/ceb-import-202205.xsd"),
        (p(&export), "xsd/ceb-export-202205.xsd"),
    ] {
        let out = format!("{input}.signed.xml");
        ok(cbec(&["sign", "--key", &p(&key.join("key.pem")), "--cert", &p(&key.join("cert.pem")), "-o", &out, &input]));
        let o = run("xmllint", &["--noout", "--schema", &spec(xsd), &out]);
        assert!(o.status.success(), "{input}: {}", text(&o));
        ok(cbec(&["verify", "--cert", &p(&key.join("cert.pem")), &out]));
    }
}

#[test]
fn verify_modes_exit_codes_and_messages() {
    let dir = workdir("verify-cli");
    let a = keygen(&dir, "a", &["--alg", "sm2"]);
    let b = keygen(&dir, "b", &["--alg", "rsa"]);
    let unsigned = unsigned_list(&dir, 6);
    let signed = p(&dir.join("signed.xml"));
    ok(cbec(&["sign", "--key", &p(&a.join("key.pem")), "--cert", &p(&a.join("cert.pem")), "-o", &signed, &unsigned]));

    // No pins, no anchors: valid but said to be untrusted.
    let o = ok(cbec(&["verify", &signed]));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("valid") && out.contains("UNTRUSTED"), "{out}");
    assert_eq!(json(&ok(cbec(&["verify", "--format", "json", &signed])))[0]["trust"], "untrusted");
    // Pinned to another certificate.
    let o = cbec(&["verify", "--cert", &p(&b.join("cert.pem")), "--format", "json", &signed]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)[0]["code"], "signature.pin_mismatch");
    // One of several pins is enough; any failing file makes exit 1.
    ok(cbec(&["verify", "--cert", &p(&b.join("cert.pem")), "--cert", &p(&a.join("cert.pem")), &signed]));
    let o = cbec(&["verify", &signed, &unsigned]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("signature.missing"));
    // A self-signed leaf is no CA: as an anchor it trusts only itself.
    ok(cbec(&["verify", "--trust", &p(&a.join("cert.pem")), &signed]));
    let o = cbec(&["verify", "--trust", &p(&b.join("cert.pem")), "--format", "json", &signed]);
    assert_eq!(json(&o)[0]["code"], "signature.untrusted_issuer");
    // Validity at --at.
    let o = cbec(&["verify", "--at", "2000-01-01T00:00:00Z", "--format", "json", &signed]);
    assert_eq!(json(&o)[0]["code"], "signature.certificate_not_yet_valid");
    // Usage and I/O errors: exit 2.
    assert_eq!(cbec(&["verify", "--at", "tomorrow", &signed]).status.code(), Some(2));
    assert_eq!(cbec(&["verify", "/no/such/file.xml"]).status.code(), Some(2));
    assert_eq!(cbec(&["verify", "--cert", "/no/such/cert.pem", &signed]).status.code(), Some(2));
    assert_eq!(cbec(&["verify", "--cert", &unsigned, &signed]).status.code(), Some(2));
    assert_eq!(cbec(&["verify"]).status.code(), Some(2));
    // Not XML at all is a failed check, with the XML code.
    let junk = p(&dir.join("junk.xml"));
    std::fs::write(&junk, "not xml").unwrap();
    let o = cbec(&["verify", "--format", "json", &junk]);
    assert_eq!((o.status.code(), json(&o)[0]["code"].as_str()), (Some(1), Some("xml.malformed")));
}

#[test]
fn sign_exit_codes() {
    let dir = workdir("sign-cli");
    let a = keygen(&dir, "a", &["--alg", "sm2"]);
    let b = keygen(&dir, "b", &["--alg", "rsa"]);
    let unsigned = unsigned_list(&dir, 7);
    let (key, cert) = (p(&a.join("key.pem")), p(&a.join("cert.pem")));
    let signed = p(&dir.join("signed.xml"));
    ok(cbec(&["sign", "--key", &key, "--cert", &cert, "-o", &signed, &unsigned]));
    // Already signed: the input fails (1).
    let o = cbec(&["sign", "--key", &key, "--cert", &cert, &signed]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("signature.already_signed"));
    // Key and certificate problems are usage errors (2).
    assert_eq!(cbec(&["sign", "--key", &key, "--cert", &p(&b.join("cert.pem")), &unsigned]).status.code(), Some(2));
    assert_eq!(cbec(&["sign", "--key", &key, "--cert", &cert, "--alg", "rsa-sha1", &unsigned]).status.code(), Some(2));
    assert_eq!(cbec(&["sign", "--key", &cert, "--cert", &cert, &unsigned]).status.code(), Some(2));
    assert_eq!(cbec(&["sign", "--key", &key, "--cert", &cert, "/no/such.xml"]).status.code(), Some(2));
    // RSA defaults to rsa-sha1 with SHA-1.
    let o = ok(cbec(&["sign", "--key", &p(&b.join("key.pem")), "--cert", &p(&b.join("cert.pem")), &unsigned]));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("xmldsig#rsa-sha1") && s.contains("xmldsig#sha1"), "{s}");
}

#[test]
fn bench_verify_prints_one_json_line() {
    for alg in ["sm2", "rsa"] {
        let o = ok(cbec(&["bench", "verify", "--alg", alg, "--seconds", "0.2"]));
        let out = String::from_utf8_lossy(&o.stdout);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1, "{out}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert!(v["verifies_per_second"].as_f64().unwrap() > 0.0, "{v}");
        assert_eq!(v["alg"], alg);
        let bytes = v["message_bytes"].as_u64().unwrap();
        assert!((3000..6000).contains(&bytes), "about 4 KB: {v}");
    }
    assert_eq!(cbec(&["bench", "verify", "--alg", "sm2", "--seconds", "0"]).status.code(), Some(2));
}
