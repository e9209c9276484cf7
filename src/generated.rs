//! The client progenitor generates from `openapi.yaml` at build time (see `build.rs`).
//!
//! Never edited by hand and never committed: change the spec or the hand-written layer.
#![allow(missing_docs, dead_code, clippy::all, unreachable_pub)]

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
