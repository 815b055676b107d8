//! HTTP tests through the real router, in process, against a real SQLite
//! store in a temporary directory (one test binary, several modules).

#![allow(clippy::unwrap_used)]

mod authz;
mod clearance;
mod config;
mod faults;
mod flows;
mod helpers;
mod openapi;
mod portal;
mod risk;
mod shutdown;
mod web;
mod web_officer;
