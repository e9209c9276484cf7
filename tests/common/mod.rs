//! Shared by the integration tests: a loopback capture server and the spec validator.
#![allow(dead_code)]

pub mod capture;
pub mod spec;
