//! The checked-in target: `cargo xtask codegen` writes the SDK's generated
//! module, the mock crate's samples, the tests' sample calls and the
//! packaged copy of the fragment; `--check` compares them with what is on
//! disk and names (and diffs) what is stale.

use std::path::{Path, PathBuf};

use crate::error::{Result, XtaskError};
use crate::targets::{self, Target};

/// Where the inputs and outputs live, relative to the workspace root.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The workspace root.
    pub root: PathBuf,
}

impl Layout {
    /// The layout of the workspace at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
    /// The fragment code is generated from.
    pub fn fragment(&self) -> PathBuf {
        self.root.join("openapi/straddle.json")
    }
    /// The operation list and resource tree.
    pub fn operations(&self) -> PathBuf {
        self.root.join("openapi/operations.toml")
    }
    /// Every upstream operation and event with its place in the SDK, as the
    /// official SDKs name them: lines to copy into `operations.toml`.
    pub fn operations_all(&self) -> PathBuf {
        self.root.join("openapi/operations-all.toml")
    }
    /// The vendored upstream description.
    pub fn upstream(&self) -> PathBuf {
        self.root.join("openapi/upstream/straddle-openapi.json")
    }
    /// The copy of the fragment that ships inside the published crate.
    pub fn packaged_fragment(&self) -> PathBuf {
        self.root.join("straddle-sdk/openapi/straddle.json")
    }
    /// The generated calls of every exposed operation, for the tests.
    pub fn calls(&self) -> PathBuf {
        self.root.join("tests/support/calls.rs")
    }
    /// The generated module's directory.
    pub fn generated_dir(&self) -> PathBuf {
        self.root.join("straddle-sdk/src/generated")
    }
    /// The mock crate's generated directory (its `samples` module).
    pub fn mock_generated_dir(&self) -> PathBuf {
        self.root.join("straddle-sdk-mock/src/generated")
    }
    /// The test specs (`tests/specs/<name>.json` and `.toml`).
    pub fn test_specs(&self) -> PathBuf {
        self.root.join("tests/specs")
    }
    /// Where every generated file lives: a directory holds only generated
    /// files, so one there that the generator no longer writes is stale;
    /// a file is generated on its own.
    fn generated_places(&self) -> [PathBuf; 3] {
        [
            self.generated_dir(),
            self.mock_generated_dir(),
            self.calls(),
        ]
    }
    /// The target directory: `CARGO_TARGET_DIR` when set, else `target/`.
    pub fn target_dir(&self) -> PathBuf {
        match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => self.root.join(dir),
            _ => self.root.join("target"),
        }
    }
    /// The checked-in SDK as a target.
    pub fn sdk(&self) -> Target {
        Target {
            spec: self.fragment(),
            operations: self.operations(),
            source: relative(self, &self.fragment()),
            krate: "straddle_sdk".into(),
            upstream: None,
        }
    }
}

/// A generated file: its path relative to the workspace root, and contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the workspace root, with `/` separators.
    pub path: String,
    /// The file's full text.
    pub contents: String,
}

/// The text of the fragment `cargo xtask spec extract` writes: the
/// operations and events of `operations.toml` cut out of the upstream
/// description `from`.
pub fn extracted_fragment(layout: &Layout, from: &Path) -> Result<String> {
    let upstream = crate::spec::load::load(from)?;
    let ops = crate::spec::operations::load(&layout.operations())?;
    let fragment = crate::spec::extract::extract(from, &upstream, &ops)?;
    Ok(crate::spec::extract::to_pretty(&fragment))
}

/// Every checked-in generated file, from the fragment and operation list
/// at `layout`, without writing anything.
pub fn generate_all(layout: &Layout) -> Result<Vec<GeneratedFile>> {
    let output = targets::generate(&layout.sdk())?;
    let dir = relative(layout, &layout.generated_dir());
    let mut files: Vec<GeneratedFile> = output
        .module
        .into_iter()
        .map(|(name, contents)| GeneratedFile {
            path: format!("{dir}/{name}"),
            contents,
        })
        .collect();
    files.push(GeneratedFile {
        path: relative(layout, &layout.calls()),
        contents: output.calls,
    });
    files.push(GeneratedFile {
        path: relative(layout, &layout.mock_generated_dir().join("samples.rs")),
        contents: output.samples,
    });
    // The published crate carries the spec its code was generated from.
    let fragment = layout.fragment();
    files.push(GeneratedFile {
        path: relative(layout, &layout.packaged_fragment()),
        contents: std::fs::read_to_string(&fragment)
            .map_err(|e| XtaskError::file(&fragment, format!("cannot read the file: {e}")))?,
    });
    Ok(files)
}

/// What `codegen --check` found.
#[derive(Debug, Default)]
pub struct Staleness {
    /// Files whose checked-in text differs from what the spec generates.
    pub stale: Vec<String>,
    /// Files in a generated place that the generator no longer writes.
    pub extra: Vec<String>,
}

impl Staleness {
    /// Whether the checked-in code matches the spec.
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty() && self.extra.is_empty()
    }
}

/// Compares generated files with what is on disk; writes nothing.
pub fn check(layout: &Layout, files: &[GeneratedFile]) -> Result<Staleness> {
    let stale = files
        .iter()
        .filter(|file| {
            std::fs::read_to_string(layout.root.join(&file.path))
                .ok()
                .as_deref()
                != Some(file.contents.as_str())
        })
        .map(|file| file.path.clone())
        .collect();
    Ok(Staleness {
        stale,
        extra: extra_files(layout, files),
    })
}

/// Lines of one file's diff that `codegen --check` prints; past them it
/// says how many it left out.
pub const MAX_DIFF_LINES: usize = 400;

/// A unified diff from `on_disk` (`None`: the file is missing) to
/// `generated`, with `path` in its `---`/`+++` header, at most
/// [`MAX_DIFF_LINES`] lines.
pub fn unified_diff(path: &str, on_disk: Option<&str>, generated: &str) -> String {
    let from = match on_disk {
        Some(_) => format!("a/{path}"),
        None => "/dev/null".to_string(),
    };
    let diff = similar::TextDiff::from_lines(on_disk.unwrap_or(""), generated)
        .unified_diff()
        .context_radius(3)
        .header(&from, &format!("b/{path}"))
        .to_string();
    let lines: Vec<&str> = diff.lines().collect();
    if lines.len() <= MAX_DIFF_LINES {
        return diff;
    }
    format!(
        "{}\n... {} more lines of diff\n",
        lines[..MAX_DIFF_LINES].join("\n"),
        lines.len() - MAX_DIFF_LINES
    )
}

/// The diff of each stale file of [`check`]: from what is on disk to what
/// the spec generates, as [`unified_diff`].
pub fn stale_diffs(layout: &Layout, files: &[GeneratedFile], stale: &[String]) -> Vec<String> {
    files
        .iter()
        .filter(|f| stale.contains(&f.path))
        .map(|f| {
            let on_disk = std::fs::read_to_string(layout.root.join(&f.path)).ok();
            unified_diff(&f.path, on_disk.as_deref(), &f.contents)
        })
        .collect()
}

/// Writes generated files (only those that changed) and removes files the
/// generator no longer produces. Returns the paths it wrote or removed.
pub fn write(layout: &Layout, files: &[GeneratedFile]) -> Result<Vec<String>> {
    let mut touched = Vec::new();
    for file in files {
        if write_if_changed(&layout.root.join(&file.path), &file.contents)? {
            touched.push(file.path.clone());
        }
    }
    for extra in extra_files(layout, files) {
        let path = layout.root.join(&extra);
        std::fs::remove_file(&path)
            .map_err(|e| XtaskError::file(&path, format!("cannot remove stale file: {e}")))?;
        touched.push(extra);
    }
    Ok(touched)
}

/// Writes `contents` to `path` (creating its directory) unless the file
/// already holds them, so an unchanged file keeps its modification time and
/// cargo rebuilds less. Returns whether it wrote.
pub fn write_if_changed(path: &Path, contents: &str) -> Result<bool> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(contents) {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| XtaskError::file(parent, format!("cannot create directory: {e}")))?;
    }
    std::fs::write(path, contents)
        .map_err(|e| XtaskError::file(path, format!("cannot write: {e}")))?;
    Ok(true)
}

/// Files in a generated place that `files` does not include: generated
/// directories' other files, and a generated file that is no longer
/// generated.
fn extra_files(layout: &Layout, files: &[GeneratedFile]) -> Vec<String> {
    let mut extra = Vec::new();
    for place in layout.generated_places() {
        let paths: Vec<PathBuf> = match std::fs::read_dir(&place) {
            Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
            Err(_) if place.is_file() => vec![place],
            Err(_) => continue,
        };
        for path in paths {
            let path = relative(layout, &path);
            if !files.iter().any(|f| f.path == path) {
                extra.push(path);
            }
        }
    }
    extra.sort();
    extra
}

/// `path` relative to the workspace root, `/`-separated, for headers and messages.
pub fn relative(layout: &Layout, path: &Path) -> String {
    let rel = path.strip_prefix(&layout.root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
