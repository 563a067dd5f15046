//! The summary each benchmark target prints after criterion's report: the
//! medians criterion estimated in this run (read back from its
//! `estimates.json` files), turned into the ratios the targets promise.
//!
//! Estimates written before this process started are ignored, so a filtered
//! run (`cargo bench -- sdk`) never mixes in figures of an earlier run.

use std::cell::Cell;
use std::path::PathBuf;
use std::process::Command;
use std::time::SystemTime;

/// Collects summary lines and reads criterion's estimates of this run.
pub struct Report {
    title: &'static str,
    dir: PathBuf,
    started: SystemTime,
    lines: Vec<String>,
    measured: Cell<bool>,
}

impl Report {
    /// A report for the target named `title`; call before the benchmarks run.
    pub fn new(title: &'static str) -> Self {
        Self {
            title,
            dir: criterion_dir(),
            started: SystemTime::now(),
            lines: Vec::new(),
            measured: Cell::new(false),
        }
    }

    /// Criterion's median estimate, in nanoseconds, of `group/id` in this run;
    /// `id` is the benchmark's id within its group, e.g. `sdk` or `sdk/16`.
    pub fn median_ns(&self, group: &str, id: &str) -> Option<f64> {
        let path = self
            .dir
            .join(group)
            .join(id)
            .join("new")
            .join("estimates.json");
        let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
        if modified < self.started {
            return None;
        }
        let text = std::fs::read_to_string(&path).ok()?;
        let estimates: serde_json::Value = serde_json::from_str(&text).ok()?;
        let median = estimates["median"]["point_estimate"].as_f64()?;
        self.measured.set(true);
        Some(median)
    }

    /// Adds a line to the summary.
    pub fn line(&mut self, text: impl Into<String>) {
        self.lines.push(text.into());
    }

    /// Prints the summary; nothing when criterion measured nothing in this
    /// run (`--test`, `--list`, `--profile-time`, or a filter matching none).
    pub fn print(self) {
        if !self.measured.get() {
            return;
        }
        println!("\n=== {} summary (medians of this run) ===", self.title);
        for line in &self.lines {
            println!("  {line}");
        }
        println!();
    }
}

/// `ns` nanoseconds in a readable unit, or `n/a` when the benchmark did not run.
pub fn duration(ns: Option<f64>) -> String {
    match ns {
        None => "n/a".to_string(),
        Some(ns) if ns >= 1e6 => format!("{:.2} ms", ns / 1e6),
        Some(ns) if ns >= 1e3 => format!("{:.2} µs", ns / 1e3),
        Some(ns) => format!("{ns:.0} ns"),
    }
}

/// `a / b` with three decimals, or `n/a`.
pub fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.3}x", a / b),
        _ => "n/a".to_string(),
    }
}

/// Where criterion writes its results, found the way criterion finds it:
/// `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else the target
/// directory `cargo metadata` reports, else `target/criterion`.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    let from_metadata = std::env::var_os("CARGO").and_then(|cargo| {
        let output = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .ok()?;
        let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
        metadata["target_directory"].as_str().map(PathBuf::from)
    });
    from_metadata
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("criterion")
}
