//! `cargo xtask`: maintainer commands. Run `cargo xtask --help`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::error::XtaskError;
use xtask::targets::scratch::{self, CargoOutput};
use xtask::targets::workspace::{self as codegen, Layout};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Maintainer commands for the Straddle Rust SDK."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate straddle-sdk/src/generated/ (and the mock crate's samples,
    /// tests/support/calls.rs) from openapi/straddle.json and
    /// openapi/operations.toml.
    Codegen {
        /// Write nothing; exit 1, name each stale file and print a unified
        /// diff (on disk -> generated) if the checked-in code differs from
        /// what the fragment generates.
        #[arg(long)]
        check: bool,
    },
    /// Prove the generator on the whole upstream API: generate every
    /// operation and event of openapi/operations-all.toml into a scratch
    /// crate under <target dir>/scratch/full-api, build it, and (with
    /// --prism-url) call every operation against Prism serving
    /// <target dir>/scratch/full-api/openapi.json.
    FullApi {
        /// Prism serving target/scratch/full-api/openapi.json (see the README);
        /// without it the crate is only built.
        #[arg(long, value_name = "URL")]
        prism_url: Option<String>,
        /// Write the scratch crate and the fragment, then stop (for starting
        /// Prism on the fragment first).
        #[arg(long)]
        write_only: bool,
    },
    /// Work on the OpenAPI description.
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
}

#[derive(Subcommand)]
enum SpecCommand {
    /// Write openapi/straddle.json: the operations in openapi/operations.toml
    /// and every schema they reference, cut from the upstream description and
    /// converted to OpenAPI 3.0.3 (application/json only).
    Extract {
        /// The upstream description [default: openapi/upstream/straddle-openapi.json].
        #[arg(long)]
        from: Option<PathBuf>,
        /// Write nothing; exit 1 if openapi/straddle.json differs from the extract.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    // xtask/Cargo.toml sits one level below the workspace root.
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

fn run(cli: Cli) -> Result<ExitCode, XtaskError> {
    let layout = Layout::new(workspace_root());
    match cli.command {
        Command::Codegen { check } => {
            let started = std::time::Instant::now();
            let files = codegen::generate_all(&layout)?;
            if check {
                let status = codegen::check(&layout, &files)?;
                for path in &status.stale {
                    eprintln!("stale: {path} differs from what `cargo xtask codegen` generates");
                }
                for diff in codegen::stale_diffs(&layout, &files, &status.stale) {
                    eprint!("{diff}");
                }
                for path in &status.extra {
                    eprintln!("stale: {path} is not generated any more");
                }
                if !status.is_clean() {
                    eprintln!("run `cargo xtask codegen` and commit the result");
                    return Ok(ExitCode::FAILURE);
                }
                println!("generated code is up to date ({} files)", files.len());
            } else {
                let touched = codegen::write(&layout, &files)?;
                for path in &touched {
                    println!("wrote {path}");
                }
                println!(
                    "{} of {} generated files changed ({} ms)",
                    touched.len(),
                    files.len(),
                    started.elapsed().as_millis()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::FullApi {
            prism_url,
            write_only,
        } => full_api(&layout, prism_url, write_only),
        Command::Spec {
            command: SpecCommand::Extract { from, check },
        } => {
            let from = from.unwrap_or_else(|| layout.upstream());
            let text = codegen::extracted_fragment(&layout, &from)?;
            let target = layout.fragment();
            let current = std::fs::read_to_string(&target).ok();
            if check {
                if current.as_deref() != Some(text.as_str()) {
                    eprintln!(
                        "stale: openapi/straddle.json differs from `cargo xtask spec extract`"
                    );
                    return Ok(ExitCode::FAILURE);
                }
                println!("openapi/straddle.json is up to date");
            } else if current.as_deref() == Some(text.as_str()) {
                println!("openapi/straddle.json is up to date");
            } else {
                std::fs::write(&target, text)
                    .map_err(|e| XtaskError::file(&target, format!("cannot write: {e}")))?;
                println!("wrote openapi/straddle.json; now run `cargo xtask codegen`");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `cargo xtask full-api`: generate, write, build and (with Prism) call.
fn full_api(
    layout: &Layout,
    prism_url: Option<String>,
    write_only: bool,
) -> Result<ExitCode, XtaskError> {
    let dir = scratch::scratch_dir(layout, "full-api");
    let started = std::time::Instant::now();
    let krate = scratch::full_api(layout)?;
    scratch::write_workspace(layout, &dir, std::slice::from_ref(&krate))?;
    let fragment = dir.join("openapi.json");
    codegen::write_if_changed(
        &fragment,
        &xtask::spec::extract::to_pretty(&krate.output.api.spec.raw),
    )?;
    println!(
        "generated {} operations and {} events, {} lines, in {} ms; wrote {} and its openapi.json",
        krate.output.api.operations.len(),
        krate.output.api.events.len(),
        krate.output.lines(),
        started.elapsed().as_millis(),
        codegen::relative(layout, &dir),
    );
    if write_only {
        return Ok(ExitCode::SUCCESS);
    }
    let started = std::time::Instant::now();
    let env: Vec<(&str, &str)> = prism_url
        .iter()
        .map(|url| ("STRADDLE_PRISM_URL", url.as_str()))
        .collect();
    let args: &[&str] = if prism_url.is_some() {
        &["--", "--nocapture"]
    } else {
        &["--no-run"]
    };
    scratch::test_workspace(layout, &dir, args, &env, CargoOutput::Shown)?;
    println!(
        "{} in {:.1} s",
        if prism_url.is_some() {
            "built and called every operation against Prism"
        } else {
            "built (no --prism-url: no calls)"
        },
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
