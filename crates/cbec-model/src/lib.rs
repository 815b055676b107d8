//! Domain types of cbec, shared by every other crate: validated identifiers
//! ([`ident`]), code tables ([`codes`]), and the diagnostic type with its
//! registry of stable codes ([`diag`]). No IO, no XML, no SQL.

pub mod diag;
