//! Maintainer commands for the Straddle Rust SDK, as a library so that each
//! step can be tested alone. The binary (`cargo xtask`) is a thin CLI over it.
//!
//! The generator is a pipeline, one folder a stage:
//! [`spec`] (load, validate, extract, transform) → [`model`] (the API as
//! typed values, built once; every check happens here) → [`emit`] (one small
//! function per output) → [`targets`] (where the output goes: the checked-in
//! SDK, a test spec's scratch crate, the whole upstream API). [`names`] is
//! how spec names become Rust names, for every stage.

pub mod emit;
pub mod error;
pub mod model;
pub mod names;
pub mod spec;
pub mod targets;
