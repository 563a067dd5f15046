//! Scratch crates: the SDK's hand-written runtime with the generated module
//! of another spec (a test spec under `tests/specs/`, or the whole upstream
//! API), written under `target/` and built there, so generated code that is
//! not checked in is still compiled and called.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::codegen::Layout;
use crate::error::{Result, XtaskError};

/// One crate of a scratch workspace.
#[derive(Debug, Clone)]
pub struct ScratchCrate {
    /// The package name (`spec-bodies`); the library is its snake_case form.
    pub name: String,
    /// The generated module's files by name (`resources.rs`, ...).
    pub module: Vec<(&'static str, String)>,
    /// Integration tests, by file name, that call the generated code.
    pub tests: Vec<(String, String)>,
    /// The mock crate's generated `samples` module. With it, the workspace
    /// also holds `<name>-mock`: `straddle-sdk-mock`'s sources over this
    /// crate (its unit tests decode every sample), which this crate's tests
    /// use as `straddle_sdk_mock`.
    pub samples: Option<String>,
}

/// The package name of the mock crate over the scratch crate `name`.
fn mock_name(name: &str) -> String {
    format!("{name}-mock")
}

/// Writes a workspace of `crates` at `dir`: each crate is `straddle-sdk`'s
/// manifest and hand-written sources with its own generated module. The
/// workspace's dependency versions and `Cargo.lock` are the real ones.
pub fn write_workspace(layout: &Layout, dir: &Path, crates: &[ScratchCrate]) -> Result<()> {
    let manifest_path = layout.root.join("Cargo.toml");
    let mut manifest = read_toml(&manifest_path)?;
    let workspace = manifest
        .get_mut("workspace")
        .and_then(toml::Value::as_table_mut)
        .ok_or_else(|| XtaskError::file(&manifest_path, "no [workspace] table"))?;
    let members = crates.iter().flat_map(|c| {
        let mock = c.samples.as_ref().map(|_| mock_name(&c.name).into());
        std::iter::once(c.name.clone().into()).chain(mock)
    });
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
    copy(&layout.root.join("Cargo.lock"), &dir.join("Cargo.lock"))?;

    let sdk = layout.root.join("straddle-sdk");
    let sdk_manifest_path = sdk.join("Cargo.toml");
    let sdk_manifest = read_toml(&sdk_manifest_path)?;
    for krate in crates {
        let root = dir.join(&krate.name);
        let mut manifest = sdk_manifest.clone();
        scratch_package(&mut manifest, &krate.name);
        let dev = manifest
            .entry("dev-dependencies")
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let Some(dev) = dev.as_table_mut() {
            for name in ["wiremock", "serde_json", "futures-util"] {
                let mut spec = toml::Table::new();
                spec.insert("workspace".into(), true.into());
                dev.insert(name.into(), toml::Value::Table(spec));
            }
            if krate.samples.is_some() {
                dev.insert(
                    "straddle-sdk-mock".into(),
                    path_dependency(&mock_name(&krate.name), true),
                );
            }
        }
        write_copy(&sdk, &root, &manifest)?;
        for (name, contents) in &krate.module {
            write(&root.join("src/generated").join(name), contents)?;
        }
        for (name, contents) in &krate.tests {
            write(&root.join("tests").join(name), contents)?;
        }
        if let Some(samples) = &krate.samples {
            write_mock(layout, dir, &krate.name, samples)?;
        }
    }
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

/// Writes `<sdk>-mock` at `dir`: `straddle-sdk-mock`'s manifest and
/// hand-written sources over the scratch crate `sdk`, with `samples` as its
/// generated module.
fn write_mock(layout: &Layout, dir: &Path, sdk: &str, samples: &str) -> Result<()> {
    let mock = layout.root.join("straddle-sdk-mock");
    let manifest_path = mock.join("Cargo.toml");
    let mut manifest = read_toml(&manifest_path)?;
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
    let _ = std::fs::remove_dir_all(root);
    write(
        &root.join("Cargo.toml"),
        &to_toml(&from.join("Cargo.toml"), manifest)?,
    )?;
    copy(&from.join("README.md"), &root.join("README.md"))?;
    copy_sources(&from.join("src"), &root.join("src"))
}

/// Renames a copied manifest's package to `name`, unpublished, without
/// the fields that name files or pages of the real crate.
fn scratch_package(manifest: &mut toml::Table, name: &str) {
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

/// Runs `cargo test --tests` on the scratch workspace at `dir`, in the target
/// directory `target/scratch/target` (not the workspace's own, whose lock a
/// test that runs this would wait on).
pub fn test_workspace(dir: &Path, extra_args: &[&str], extra_env: &[(&str, &str)]) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = dir.parent().unwrap_or(dir).join("target");
    let mut command = Command::new(cargo);
    command
        .arg("test")
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .arg("--workspace")
        .arg("--tests")
        // Loopback HTTP is all the tests speak: no TLS backend to build.
        .arg("--no-default-features")
        .env("CARGO_TARGET_DIR", &target)
        // Generated code must build without warnings, as the checked-in code does.
        .env("RUSTFLAGS", "-D warnings");
    command.args(extra_args);
    for (key, value) in extra_env {
        command.env(key, value);
    }
    // Inherited output: cargo's progress and any failure show where this runs.
    let status = command
        .status()
        .map_err(|e| XtaskError::file(dir, format!("cannot run cargo: {e}")))?;
    if status.success() {
        return Ok(());
    }
    Err(XtaskError::file(
        dir,
        format!("cargo test on this scratch workspace failed ({status}); its output is above"),
    ))
}

/// The test specs (`tests/specs/<name>.json` with `<name>.toml` beside it),
/// each as a crate `spec-<name>` whose tests are `tests/specs/<name>.rs` and
/// the generated sample calls (compiled, to prove they build), with the mock
/// crate `spec-<name>-mock` over it.
pub fn spec_crates(layout: &Layout) -> Result<Vec<ScratchCrate>> {
    let dir = layout.root.join("tests/specs");
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
        .into_iter()
        .map(|stem| {
            let name = format!("spec-{stem}");
            let krate = name.replace('-', "_");
            let spec = dir.join(format!("{stem}.json"));
            let output = crate::codegen::spec_module(
                &spec,
                &dir.join(format!("{stem}.toml")),
                &format!("tests/specs/{stem}.json"),
                &krate,
            )?;
            let test_file = dir.join(format!("{stem}.rs"));
            let test = std::fs::read_to_string(&test_file)
                .map_err(|e| XtaskError::file(&test_file, format!("cannot read the file: {e}")))?;
            Ok(ScratchCrate {
                name,
                module: output.module.files,
                tests: vec![
                    (format!("{stem}.rs"), test),
                    ("sample_calls.rs".into(), output.calls),
                ],
                samples: Some(output.samples),
            })
        })
        .collect()
}

/// Where scratch workspaces live: `target/scratch/<name>`.
pub fn scratch_dir(layout: &Layout, name: &str) -> PathBuf {
    layout.root.join("target/scratch").join(name)
}

fn read_toml(path: &Path) -> Result<toml::Table> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| XtaskError::file(path, format!("cannot read the file: {e}")))?;
    toml::from_str(&text).map_err(|e| XtaskError::file(path, e.to_string()))
}

fn to_toml(path: &Path, table: &toml::Table) -> Result<String> {
    toml::to_string(table).map_err(|e| XtaskError::file(path, format!("cannot write TOML: {e}")))
}

fn write(path: &Path, contents: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| XtaskError::file(parent, format!("cannot create directory: {e}")))?;
    }
    // Unchanged files keep their modification time, so cargo rebuilds less.
    if std::fs::read_to_string(path).ok().as_deref() == Some(contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|e| XtaskError::file(path, format!("cannot write: {e}")))
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    let text = std::fs::read_to_string(from)
        .map_err(|e| XtaskError::file(from, format!("cannot read the file: {e}")))?;
    write(to, &text)
}

/// Copies the `.rs` files under `from`, except the generated module.
fn copy_sources(from: &Path, to: &Path) -> Result<()> {
    let entries = std::fs::read_dir(from)
        .map_err(|e| XtaskError::file(from, format!("cannot read directory: {e}")))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "generated" {
                copy_sources(&path, &to.join(&name))?;
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            copy(&path, &to.join(&name))?;
        }
    }
    Ok(())
}

/// The whole upstream API through the project's own generator: the
/// operations of `openapi/operations-all.toml` cut from the upstream
/// description (as `cargo xtask spec extract` does), generated, and written
/// as the crate `full-api` at `dir`, with `tests/full-api/prism.rs` calling
/// every operation. Also writes the extracted fragment to
/// `dir/openapi.json`, for Prism to serve. Returns the generated module.
pub fn full_api(layout: &Layout, dir: &Path) -> Result<crate::codegen::Module> {
    let upstream_path = layout.upstream();
    let upstream = crate::spec::load(&upstream_path)?;
    let ops = crate::config::load(&layout.operations_all())?;
    let fragment = crate::extract::extract(
        &upstream_path,
        &upstream,
        &crate::extract::Selection::Listed(&ops),
    )?;
    let source = "openapi/upstream/straddle-openapi.json (openapi/operations-all.toml)";
    let module = crate::codegen::generate_module(&upstream_path, source, fragment.clone(), &ops)?;
    let calls = crate::calls::tokens(&upstream_path, &fragment, "full_api", &module.shapes)?;
    let test_file = layout.root.join("tests/full-api/prism.rs");
    let test = std::fs::read_to_string(&test_file)
        .map_err(|e| XtaskError::file(&test_file, format!("cannot read the file: {e}")))?;
    let krate = ScratchCrate {
        name: "full-api".into(),
        module: module.files.clone(),
        tests: vec![
            ("prism.rs".into(), test),
            (
                "calls/mod.rs".into(),
                crate::generate::format_file(source, calls)?,
            ),
        ],
        samples: Some(crate::generate::format_file(
            source,
            crate::mock::samples_tokens(&upstream_path, &fragment, &module.shapes)?,
        )?),
    };
    write_workspace(layout, dir, &[krate])?;
    write(
        &dir.join("openapi.json"),
        &crate::extract::to_pretty(&fragment),
    )?;
    Ok(module)
}
