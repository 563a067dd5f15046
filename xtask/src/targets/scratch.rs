//! Scratch crates: the SDK's hand-written runtime with the generated module
//! of another target (a test spec under `tests/specs/`, or the whole
//! upstream API), and the mock crate over it, written under the target
//! directory and built there, so generated code that is not checked in is
//! still compiled and called.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Result, XtaskError};
use crate::targets::workspace::{Layout, write_if_changed};
use crate::targets::{self, Output, Target};

/// One SDK crate of a scratch workspace, with its mock crate.
#[derive(Debug, Clone)]
pub struct ScratchCrate {
    /// The package name (`spec-bodies`); the library is its snake_case form.
    pub name: String,
    /// What its target generated.
    pub output: Output,
    /// Integration tests, by file name, that call the generated code.
    pub tests: Vec<(String, String)>,
    /// Where under `tests/` the generated calls go: a test of their own
    /// (`sample_calls.rs`), or a module a test includes (`calls/mod.rs`).
    pub calls_file: String,
}

impl ScratchCrate {
    /// The crate of `target`, whose tests are `tests`, with the generated
    /// calls a test of their own.
    pub fn new(name: &str, target: &Target, tests: Vec<(String, String)>) -> Result<Self> {
        Ok(Self {
            name: name.into(),
            output: targets::generate(target)?,
            tests,
            calls_file: "sample_calls.rs".into(),
        })
    }
}

/// The package name of the mock crate over the scratch crate `name`.
fn mock_name(name: &str) -> String {
    format!("{name}-mock")
}

/// Where scratch workspaces live: `<target dir>/scratch/<name>`.
pub fn scratch_dir(layout: &Layout, name: &str) -> PathBuf {
    layout.target_dir().join("scratch").join(name)
}

/// The target of the test spec `tests/specs/<stem>.json` (with
/// `<stem>.toml`), its calls through the crate `krate`.
pub fn spec_target(layout: &Layout, stem: &str, krate: &str) -> Target {
    let dir = layout.test_specs();
    Target {
        spec: dir.join(format!("{stem}.json")),
        operations: dir.join(format!("{stem}.toml")),
        source: format!("tests/specs/{stem}.json"),
        krate: krate.into(),
        upstream: None,
    }
}

/// Every test spec (a `.toml` beside its `.json` under `tests/specs/`), as
/// the crate `spec-<name>` whose tests are `tests/specs/<name>.rs`.
pub fn spec_crates(layout: &Layout) -> Result<Vec<ScratchCrate>> {
    let dir = layout.test_specs();
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| XtaskError::file(&dir, format!("cannot read directory: {e}")))?;
    let mut stems: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            (path.extension()? == "toml").then(|| path.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    stems.sort();
    stems
        .iter()
        .map(|stem| {
            let name = format!("spec-{stem}");
            let test = read(&dir.join(format!("{stem}.rs")))?;
            let target = spec_target(layout, stem, &name.replace('-', "_"));
            ScratchCrate::new(&name, &target, vec![(format!("{stem}.rs"), test)])
        })
        .collect()
}

/// The whole upstream API through the project's own generator: the
/// operations and events of `openapi/operations-all.toml` cut from the
/// upstream description (as `cargo xtask spec extract` does), as the crate
/// `full-api` whose test `tests/full-api/prism.rs` calls every operation.
pub fn full_api(layout: &Layout) -> Result<ScratchCrate> {
    let target = Target {
        spec: layout.upstream(),
        operations: layout.operations_all(),
        source: "openapi/upstream/straddle-openapi.json (openapi/operations-all.toml)".into(),
        krate: "full_api".into(),
        upstream: Some(layout.upstream()),
    };
    let test = read(&layout.root.join("tests/full-api/prism.rs"))?;
    let mut krate = ScratchCrate::new("full-api", &target, vec![("prism.rs".into(), test)])?;
    // `prism.rs` calls them as its module `calls`.
    krate.calls_file = "calls/mod.rs".into();
    Ok(krate)
}

/// Writes a workspace of `crates` at `dir`: each crate is `straddle-sdk`'s
/// manifest and hand-written sources with its own generated module, plus
/// `<name>-mock` (`straddle-sdk-mock`'s sources over it, its generated
/// samples); the workspace's dependency versions and `Cargo.lock` are the
/// real ones.
pub fn write_workspace(layout: &Layout, dir: &Path, crates: &[ScratchCrate]) -> Result<()> {
    let manifest_path = layout.root.join("Cargo.toml");
    let mut manifest = read_toml(&manifest_path)?;
    let workspace = manifest
        .get_mut("workspace")
        .and_then(toml::Value::as_table_mut)
        .ok_or_else(|| XtaskError::file(&manifest_path, "no [workspace] table"))?;
    let members = crates
        .iter()
        .flat_map(|c| [c.name.clone().into(), mock_name(&c.name).into()]);
    workspace.insert("members".into(), toml::Value::Array(members.collect()));
    workspace.remove("default-members");
    workspace.remove("exclude");
    if let Some(deps) = workspace
        .get_mut("dependencies")
        .and_then(toml::Value::as_table_mut)
    {
        // Path dependencies point into the real workspace; scratch crates need none.
        deps.retain(|_, spec| spec.get("path").is_none());
    }
    write(
        &dir.join("Cargo.toml"),
        &to_toml(&manifest_path, &manifest)?,
    )?;
    write(
        &dir.join("Cargo.lock"),
        &read(&layout.root.join("Cargo.lock"))?,
    )?;
    for krate in crates {
        write_sdk(layout, dir, krate)?;
        write_mock(layout, dir, &krate.name, &krate.output.samples)?;
    }
    Ok(())
}

/// The SDK crate: the real manifest renamed, its sources, the generated
/// module, the tests and the generated calls.
fn write_sdk(layout: &Layout, dir: &Path, krate: &ScratchCrate) -> Result<()> {
    let sdk = layout.root.join("straddle-sdk");
    let mut manifest = read_toml(&sdk.join("Cargo.toml"))?;
    scratch_package(&mut manifest, &krate.name);
    // Loopback HTTP is all the tests speak: no TLS backend to build, and no
    // JSON Schema derive; the webhook events are tested.
    if let Some(features) = manifest
        .get_mut("features")
        .and_then(toml::Value::as_table_mut)
    {
        features.insert(
            "default".into(),
            toml::Value::Array(vec!["webhooks".into()]),
        );
    }
    let dev = manifest
        .entry("dev-dependencies")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let Some(dev) = dev.as_table_mut() {
        for name in ["wiremock", "serde_json", "futures-util", "tokio"] {
            let mut spec = toml::Table::new();
            spec.insert("workspace".into(), true.into());
            dev.insert(name.into(), toml::Value::Table(spec));
        }
        dev.insert(
            "straddle-sdk-mock".into(),
            path_dependency(&mock_name(&krate.name), true),
        );
    }
    let root = dir.join(&krate.name);
    write_copy(&sdk, &root, &manifest)?;
    for (name, contents) in &krate.output.module {
        write(&root.join("src/generated").join(name), contents)?;
    }
    let calls = [(krate.calls_file.clone(), krate.output.calls.clone())];
    for (name, contents) in krate.tests.iter().chain(&calls) {
        write(&root.join("tests").join(name), contents)?;
    }
    // A test an earlier run wrote and this one does not would still run.
    let written: Vec<&str> = krate
        .tests
        .iter()
        .chain(&calls)
        .map(|(name, _)| name.as_str())
        .collect();
    remove_others(&root.join("tests"), |name| {
        written
            .iter()
            .any(|w| *w == name || w.starts_with(&format!("{name}/")))
    });
    Ok(())
}

/// `{ package = "<name>", path = "../<name>" }`, without default features
/// if `default_features` is false.
fn path_dependency(name: &str, default_features: bool) -> toml::Value {
    let mut spec = toml::Table::new();
    spec.insert("package".into(), name.into());
    spec.insert("path".into(), format!("../{name}").into());
    if !default_features {
        spec.insert("default-features".into(), false.into());
    }
    toml::Value::Table(spec)
}

/// `<sdk>-mock`: `straddle-sdk-mock`'s manifest and hand-written sources
/// over the scratch crate `sdk`, with `samples` as its generated module.
fn write_mock(layout: &Layout, dir: &Path, sdk: &str, samples: &str) -> Result<()> {
    let mock = layout.root.join("straddle-sdk-mock");
    let mut manifest = read_toml(&mock.join("Cargo.toml"))?;
    let name = mock_name(sdk);
    scratch_package(&mut manifest, &name);
    if let Some(deps) = manifest
        .get_mut("dependencies")
        .and_then(toml::Value::as_table_mut)
    {
        deps.insert("straddle-sdk".into(), path_dependency(sdk, false));
    }
    let root = dir.join(&name);
    write_copy(&mock, &root, &manifest)?;
    write(&root.join("src/generated/samples.rs"), samples)
}

/// Writes a fresh copy of the crate at `from` at `root`: `manifest`, its
/// README and its hand-written sources (without the generated module).
fn write_copy(from: &Path, root: &Path, manifest: &toml::Table) -> Result<()> {
    write(
        &root.join("Cargo.toml"),
        &to_toml(&from.join("Cargo.toml"), manifest)?,
    )?;
    write(&root.join("README.md"), &read(&from.join("README.md"))?)?;
    copy_sources(&from.join("src"), &root.join("src"))
}

/// Renames a copied manifest's package to `name`, unpublished, without
/// the fields that name files or pages of the real crate, nor its
/// `[[test]]`, `[[bench]]` and `[[example]]` targets: their files are not
/// copied (a scratch crate has tests of its own), and cargo refuses a
/// manifest that names a target it cannot find.
fn scratch_package(manifest: &mut toml::Table, name: &str) {
    for targets in ["test", "bench", "example"] {
        manifest.remove(targets);
    }
    if let Some(package) = manifest
        .get_mut("package")
        .and_then(toml::Value::as_table_mut)
    {
        package.insert("name".into(), name.into());
        package.insert("publish".into(), false.into());
        for key in [
            "include",
            "readme",
            "documentation",
            "homepage",
            "keywords",
            "categories",
            "metadata",
        ] {
            package.remove(key);
        }
    }
}

/// How [`test_workspace`] shows cargo's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CargoOutput {
    /// As cargo prints it (a maintainer's command).
    Shown,
    /// Kept, and printed only if the run fails (a test).
    Captured,
}

/// Runs `cargo test --tests` (plus `extra_args`) on the scratch workspace
/// at `dir`, in `<target dir>/scratch/target` (not the workspace's own,
/// whose lock a test that runs this would wait on).
pub fn test_workspace(
    layout: &Layout,
    dir: &Path,
    extra_args: &[&str],
    extra_env: &[(&str, &str)],
    output: CargoOutput,
) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("test")
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .args(["--workspace", "--tests"])
        .env(
            "CARGO_TARGET_DIR",
            layout.target_dir().join("scratch/target"),
        )
        // Generated code must build without warnings, as the checked-in code does.
        .env("RUSTFLAGS", "-D warnings")
        .args(extra_args)
        .envs(extra_env.iter().copied());
    let failed = |detail: String| {
        XtaskError::file(
            dir,
            format!("cargo test on this scratch workspace failed{detail}"),
        )
    };
    if output == CargoOutput::Shown {
        let status = command
            .status()
            .map_err(|e| XtaskError::file(dir, format!("cannot run cargo: {e}")))?;
        return if status.success() {
            Ok(())
        } else {
            Err(failed(format!(" ({status}); its output is above")))
        };
    }
    let run = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| XtaskError::file(dir, format!("cannot run cargo: {e}")))?;
    if run.status.success() {
        return Ok(());
    }
    // The error is one line; cargo's own output follows it on stderr.
    eprintln!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    Err(failed(format!(
        " ({}); its output is printed above",
        run.status
    )))
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| XtaskError::file(path, format!("cannot read the file: {e}")))
}

fn read_toml(path: &Path) -> Result<toml::Table> {
    toml::from_str(&read(path)?).map_err(|e| XtaskError::file(path, e.to_string()))
}

fn to_toml(path: &Path, table: &toml::Table) -> Result<String> {
    toml::to_string(table).map_err(|e| XtaskError::file(path, format!("cannot write TOML: {e}")))
}

fn write(path: &Path, contents: &str) -> Result<()> {
    write_if_changed(path, contents).map(|_| ())
}

/// Copies the `.rs` files under `from`, except the generated module, and
/// removes copied files the source no longer has.
fn copy_sources(from: &Path, to: &Path) -> Result<()> {
    let entries = std::fs::read_dir(from)
        .map_err(|e| XtaskError::file(from, format!("cannot read directory: {e}")))?;
    let mut names = Vec::new();
    for entry in entries.flatten() {
        let (path, name) = (entry.path(), entry.file_name());
        if path.is_dir() {
            if name != "generated" {
                copy_sources(&path, &to.join(&name))?;
                names.push(name);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            write(&to.join(&name), &read(&path)?)?;
            names.push(name);
        }
    }
    // A runtime file removed or renamed must not linger in the copy.
    remove_others(to, |name| {
        name == "generated" || names.iter().any(|n| n == name)
    });
    Ok(())
}

/// Removes every file and folder in `dir` whose name `keep` refuses.
fn remove_others(dir: &Path, keep: impl Fn(&str) -> bool) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if keep(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let path = entry.path();
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
}
