//! Maintainer commands for the Straddle Rust SDK, as a library so that each
//! step can be tested alone. The binary (`cargo xtask`) is a thin CLI over it.

pub mod calls;
pub mod codegen;
pub mod config;
pub mod constructors;
pub mod enums;
pub mod error;
pub mod extract;
pub mod generate;
pub mod mock;
pub mod resources;
pub mod samples;
pub mod scratch;
pub mod spec;
pub mod structs;
pub mod transform;
pub mod unions;
