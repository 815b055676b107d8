//! Arbitrary bytes into the CEB decoder.
//!
//! Every entry point must return (never panic, never hang) on any input,
//! strict decoding must only succeed on what `validate_schema` accepts, and
//! whatever decodes must survive `encode` and decode again unchanged; a
//! leniently decoded message with repairs after at most one round trip.

#![no_main]

use cbec_ceb::{DecodeOptions, Limits, decode, encode, validate_schema};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = validate_schema(data, &Limits::default());
    let strict = DecodeOptions::default();
    let lenient = DecodeOptions { lenient: true, ..DecodeOptions::default() };

    if let Ok(decoded) = decode(data, &strict) {
        assert!(report.is_valid(), "strict decoding accepted a schema-invalid message: {:?}", report.diagnostics);
        // A valid message encodes as a valid message with the same content.
        let xml = encode(&decoded.message);
        let again = decode(xml.as_bytes(), &strict)
            .unwrap_or_else(|d| panic!("the encoding of a valid message does not decode strictly: {d:#?}\n{xml}"));
        assert_eq!(again.message, decoded.message, "encode/decode changed a valid message:\n{xml}");
    }

    if let Ok(decoded) = decode(data, &lenient) {
        let xml = encode(&decoded.message);
        let again = decode(xml.as_bytes(), &lenient)
            .unwrap_or_else(|d| panic!("the encoding of a leniently decoded message does not decode: {d:#?}\n{xml}"));
        if decoded.repairs.is_empty() {
            assert_eq!(again.message, decoded.message, "encode/decode changed a leniently decoded message:\n{xml}");
        } else {
            // A repaired value need not have an XML form: an element missing
            // from the input is read as empty, but an empty element with an
            // XSD default reads back as the default. One more round trip
            // must then change nothing.
            let xml2 = encode(&again.message);
            let third = decode(xml2.as_bytes(), &lenient).unwrap_or_else(|d| panic!("{d:#?}\n{xml2}"));
            assert_eq!(third.message, again.message, "encode/decode is not stable after repairs:\n{xml2}");
        }
    }
});
