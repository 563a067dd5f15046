//! Code generation time.
//!
//! - `fragment`: `generate_all` on the checked-in fragment, what
//!   `cargo xtask codegen` does minus writing: load, validate, transform,
//!   model (with typify's first run), every emitter (with typify's second
//!   run), prettyplease. Target: under 100 ms.
//! - `fragment_typify`: one typify run alone on the fragment (already
//!   loaded, validated and transformed outside the timed loop);
//! - `upstream`: the SDK's generator on every operation of the full
//!   upstream description (extracted outside the timed loop), to show how
//!   generation scales; `upstream_typify`: one typify run of it. Slow, so
//!   few samples.

#[path = "common/report.rs"]
mod report;

use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, SamplingMode};
use xtask::model::typify;
use xtask::spec::Spec;
use xtask::targets::workspace::{self, Layout};

use report::{Report, duration, ratio};

/// The target for generation from the fragment, in nanoseconds.
const FRAGMENT_TARGET_NS: f64 = 100e6;

/// The workspace root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One typify run over `spec`, with the model's settings.
fn typify_once(spec: &Spec, plan: &typify::Plan) {
    typify::run(&spec.file, &spec.api, &typify::settings(plan)).expect("typify runs");
}

/// Returns the number of operations in the fragment.
fn fragment(c: &mut Criterion, layout: &Layout) -> usize {
    let files = workspace::generate_all(layout).expect("generation from the fragment");
    let stale = workspace::check(layout, &files).expect("comparison with the checked-in code");
    if !stale.is_clean() {
        eprintln!("note: the checked-in generated code differs from the fragment's: {stale:?}");
    }

    let mut group = c.benchmark_group("codegen");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("fragment", |b| {
        b.iter(|| workspace::generate_all(layout).expect("generation from the fragment"))
    });
    let output = xtask::targets::generate(&layout.sdk()).expect("fragment generates");
    let api = &output.api;
    group.bench_function("fragment_typify", |b| {
        b.iter(|| typify_once(&api.spec, &api.typify))
    });
    group.finish();
    api.operations.len()
}

/// Returns the number of operations in the upstream description.
fn upstream(c: &mut Criterion, layout: &Layout) -> usize {
    let path = layout.upstream();
    let doc = xtask::spec::load::load(&path).expect("upstream loads");
    let ops =
        xtask::spec::operations::load(&layout.operations_all()).expect("operations-all.toml loads");
    let fragment = xtask::spec::extract::extract(&path, &doc, &ops)
        .expect("every upstream operation extracts");
    let spec = Spec::new(&path, "upstream", fragment).expect("upstream prepares");
    let output =
        xtask::targets::output(spec.clone(), &ops, "full_api").expect("upstream generates");

    let mut group = c.benchmark_group("codegen");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    // The SDK's own generator: model, every emitter, formatted.
    group.bench_function("upstream", |b| {
        b.iter(|| {
            xtask::targets::output(spec.clone(), &ops, "full_api")
                .expect("generation from upstream")
        })
    });
    group.bench_function("upstream_typify", |b| {
        b.iter(|| typify_once(&output.api.spec, &output.api.typify))
    });
    group.finish();
    output.api.operations.len()
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let mut report = Report::new("codegen");
    let layout = Layout::new(root());

    let fragment_operations = fragment(&mut criterion, &layout);
    let upstream_operations = upstream(&mut criterion, &layout);

    criterion.final_summary();
    let frag = report.median_ns("codegen", "fragment");
    let frag_typify = report.median_ns("codegen", "fragment_typify");
    let full = report.median_ns("codegen", "upstream");
    let full_typify = report.median_ns("codegen", "upstream_typify");
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
        "the whole API ({upstream_operations} operations), model and emitters: {}; \
         one of its two typify runs {} ({})",
        duration(full),
        duration(full_typify),
        ratio(full_typify, full),
    ));
    report.line(format!(
        "one typify run: fragment ({fragment_operations} operations) {}, upstream {}; \
         upstream/fragment {}",
        duration(frag_typify),
        duration(full_typify),
        ratio(full_typify, frag_typify),
    ));
    report.print();
}
