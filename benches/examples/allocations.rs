//! Heap allocations per call, SDK against bare reqwest, counted by a global
//! allocator that counts (counts do not move with the machine's load):
//!
//! ```text
//! cargo run --release -p straddle-sdk-benches --example allocations [calls, default 2048]
//! ```
//!
//! For each side and for 1 and 256 concurrent calls: a warm-up burst (the
//! connections are opened), then `calls` calls (the same workload as
//! `examples/callgrind.rs`: tasks in a `JoinSet`, current-thread runtime,
//! the loopback server in a child process, so only the client allocates
//! here). Prints allocations, reallocations and bytes allocated per call.

// Shared with the other benchmarks, which use more of them.
#[allow(dead_code)]
#[path = "../benches/common/bare.rs"]
mod bare;
#[allow(dead_code)]
#[path = "../benches/common/loopback.rs"]
mod loopback;
#[allow(dead_code)]
#[path = "../benches/common/payloads.rs"]
mod payloads;
#[allow(dead_code)]
#[path = "../benches/common/workload.rs"]
mod workload;

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use workload::{Side, Workload};

/// The system allocator, counting.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static REALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is passed on to `System` unchanged; the counters are
// atomics and allocate nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        REALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(
            new_size.saturating_sub(layout.size()) as u64,
            Ordering::Relaxed,
        );
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The counters now: allocations, reallocations, bytes.
fn counters() -> [u64; 3] {
    [&ALLOCATIONS, &REALLOCATIONS, &BYTES].map(|c| c.load(Ordering::Relaxed))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("serve") => workload::serve(),
        Some(calls) => calls
            .parse()
            .map_err(|_| format!("not a count of calls: {calls}"))
            .and_then(report),
        None => report(2048),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn report(calls: usize) -> Result<(), String> {
    println!("heap allocations per call (allocations + reallocations, bytes):");
    for concurrency in [1, 256] {
        let mut line = format!("  {concurrency:>3} concurrent:");
        for (name, side) in [
            ("sdk", Side::Sdk),
            ("bare with the same timeout", Side::BareTimeout),
            ("bare", Side::Bare),
        ] {
            let [allocs, reallocs, bytes] = per_call(side, calls, concurrency)?;
            line.push_str(&format!(
                " {name} {allocs:.2} + {reallocs:.2} ({bytes:.0} B);"
            ));
        }
        println!("{}", line.trim_end_matches(';'));
    }
    Ok(())
}

/// Allocations, reallocations and bytes per call of `side`.
fn per_call(side: Side, calls: usize, concurrency: usize) -> Result<[f64; 3], String> {
    let mut workload = Workload::start("current")?;
    workload.run(side, concurrency, concurrency)?;
    let before = counters();
    let made = workload.run(side, calls, concurrency)?;
    let after = counters();
    workload.finish()?;
    Ok([0, 1, 2].map(|i| (after[i] - before[i]) as f64 / made as f64))
}
