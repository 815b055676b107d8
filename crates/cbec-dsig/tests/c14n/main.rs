//! Integration tests of the canonicalizer: the real signature vectors, and
//! differential tests against libxml2 (xmllint and lxml) on the sample
//! messages and on generated documents.

#![allow(clippy::unwrap_used)] // a test may unwrap

mod enveloped;
mod generated;
mod samples;
mod support;
