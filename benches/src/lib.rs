//! Criterion benchmarks of the Straddle SDK: `cargo bench -p straddle-sdk-benches`.
//!
//! The benchmarks live in `benches/benches/`; this library is empty.
//! - `http`: per-call overhead of the SDK against a bare `reqwest::Client`,
//!   and throughput at 1, 16 and 256 concurrent calls, against a loopback
//!   HTTP/1.1 server;
//! - `decode`: typed decoding of `CustomerV1ItemResponse` against
//!   `serde_json::Value`, on the documented example and a large payload;
//! - `codegen`: `cargo xtask codegen` on the fragment, and progenitor on the
//!   full upstream description.
//!
//! Each prints a summary of ratios from the same run after criterion's report.
//!
//! Counts, which the machine's load does not move:
//! - `examples/callgrind.rs` (run by `benches/callgrind.sh`): instructions
//!   per call and per decoding, and the size of each side's call future;
//! - `examples/allocations.rs`: heap allocations per call, SDK against bare
//!   reqwest, through a counting global allocator;
//! - `tests/syscalls.rs` (a test, run in CI): system calls per call, SDK
//!   against bare reqwest with the same timeout, counted with strace.
//!
//! `benches/build-cost.sh` measures the clean build time and dependency count
//! of a consumer of the SDK, and what the SDK adds to an application's build
//! (not a criterion benchmark).
