//! Code generation time.
//!
//! - `fragment`: `xtask::codegen::generate_all` on the checked-in fragment,
//!   what `cargo xtask codegen` does minus writing: load, validate,
//!   transform, progenitor, the resource tree, prettyplease. Target: under
//!   100 ms.
//! - `fragment_progenitor`: progenitor alone on the fragment (already loaded,
//!   validated and transformed outside the timed loop);
//! - `upstream`: progenitor alone on every operation of the full upstream
//!   description (likewise prepared outside the timed loop), to show how
//!   generation scales against `fragment_progenitor`. Slow, so few samples.

#[path = "common/report.rs"]
mod report;

use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, SamplingMode};
use xtask::codegen::Layout;

use report::{Report, duration, ratio};

/// The target for generation from the fragment, in nanoseconds.
const FRAGMENT_TARGET_NS: f64 = 100e6;

/// Operations in a prepared description (an `openapiv3::OpenAPI`, whose
/// crate this one does not depend on by name).
macro_rules! operation_count {
    ($api:expr) => {
        $api.paths
            .paths
            .values()
            .filter_map(|item| item.as_item())
            .map(|item| item.iter().count())
            .sum::<usize>()
    };
}

/// The workspace root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Returns the number of operations in the fragment.
fn fragment(c: &mut Criterion, layout: &Layout) -> usize {
    let files = xtask::codegen::generate_all(layout).expect("generation from the fragment");
    let stale = xtask::codegen::check(layout, &files).expect("comparison with the checked-in code");
    if !stale.is_clean() {
        eprintln!("note: the checked-in generated code differs from the fragment's: {stale:?}");
    }

    let mut group = c.benchmark_group("codegen");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("fragment", |b| {
        b.iter(|| xtask::codegen::generate_all(layout).expect("generation from the fragment"))
    });

    let path = layout.fragment();
    let doc = xtask::spec::load(&path).expect("fragment loads");
    let api = xtask::codegen::prepare(&path, doc).expect("fragment prepares");
    let operations = operation_count!(api);
    let settings = xtask::generate::settings();
    group.bench_function("fragment_progenitor", |b| {
        b.iter(|| {
            xtask::generate::progenitor_tokens(&path, &api, &settings)
                .expect("generation from the fragment")
        })
    });
    group.finish();
    operations
}

/// Returns the number of operations in the upstream description.
fn upstream(c: &mut Criterion, layout: &Layout) -> usize {
    let path = layout.upstream();
    let doc = xtask::spec::load(&path).expect("upstream loads");
    let ops = xtask::config::load(&layout.operations_all()).expect("operations-all.toml loads");
    let fragment = xtask::extract::extract(&path, &doc, &xtask::extract::Selection::Listed(&ops))
        .expect("every upstream operation extracts");
    let api = xtask::codegen::prepare(&path, fragment.clone()).expect("upstream prepares");
    let operations = operation_count!(api);
    let settings = xtask::generate::settings();

    let mut group = c.benchmark_group("codegen");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    // The SDK's own generator: types, unions and resources, formatted.
    group.bench_function("upstream", |b| {
        b.iter(|| {
            xtask::codegen::generate_module(&path, "upstream", fragment.clone(), &ops)
                .expect("generation from upstream")
        })
    });
    group.bench_function("upstream_progenitor", |b| {
        b.iter(|| {
            xtask::generate::progenitor_tokens(&path, &api, &settings)
                .expect("generation from upstream")
        })
    });
    group.finish();
    operations
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let mut report = Report::new("codegen");
    let layout = Layout::new(root());

    let fragment_operations = fragment(&mut criterion, &layout);
    let upstream_operations = upstream(&mut criterion, &layout);

    criterion.final_summary();
    let frag = report.median_ns("codegen", "fragment");
    let frag_progenitor = report.median_ns("codegen", "fragment_progenitor");
    let full = report.median_ns("codegen", "upstream");
    let full_progenitor = report.median_ns("codegen", "upstream_progenitor");
    let verdict = match frag {
        Some(ns) if ns < FRAGMENT_TARGET_NS => "met",
        Some(_) => "MISSED",
        None => "not run",
    };
    report.line(format!(
        "fragment, generate_all: {} = {} of the 100 ms budget ({verdict})",
        duration(frag),
        ratio(frag, Some(FRAGMENT_TARGET_NS)),
    ));
    report.line(format!(
        "the whole API ({upstream_operations} operations), generate_module: {}; \
         one of its two progenitor calls {} ({})",
        duration(full),
        duration(full_progenitor),
        ratio(full_progenitor, full),
    ));
    report.line(format!(
        "progenitor only: fragment ({fragment_operations} operations) {}, upstream {}; \
         upstream/fragment {}",
        duration(frag_progenitor),
        duration(full_progenitor),
        ratio(full_progenitor, frag_progenitor),
    ));
    report.print();
}
