//! Integration tests of the canonicalizer: the real signature vectors, and
//! differential tests against libxml2 (xmllint and lxml) on the sample
//! messages and on generated documents.

mod enveloped;
mod generated;
mod samples;
mod support;
