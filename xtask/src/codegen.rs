//! `cargo xtask codegen`: the pipeline from the checked-in fragment to the
//! checked-in generated module, as named steps.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Result, XtaskError};
use crate::{
    calls, config, constructors, enums, generate, resources, spec, structs, transform, unions,
};

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
    /// Every upstream operation with its place in the resource tree, as the
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
    /// Every directory that holds only generated files: a file there that
    /// the generator no longer writes is stale.
    pub fn generated_dirs(&self) -> [PathBuf; 2] {
        [self.generated_dir(), self.mock_generated_dir()]
    }
}

/// The text of the fragment `cargo xtask spec extract` writes: the
/// operations of `operations.toml` cut out of the upstream description `from`.
pub fn extracted_fragment(layout: &Layout, from: &Path) -> Result<String> {
    let upstream = spec::load(from)?;
    let ops = config::load(&layout.operations())?;
    let fragment =
        crate::extract::extract(from, &upstream, &crate::extract::Selection::Listed(&ops))?;
    Ok(crate::extract::to_pretty(&fragment))
}

/// A generated file: its path relative to the workspace root, and contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the workspace root, with `/` separators.
    pub path: String,
    /// The file's full text.
    pub contents: String,
}

/// Load, validate and transform a spec: everything before generation.
pub fn prepare(file: &Path, doc: Value) -> Result<openapiv3::OpenAPI> {
    prepare_with_plans(file, doc).map(|prepared| prepared.api)
}

/// A spec ready for generation, and the types xtask generates itself.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The transformed spec.
    pub api: openapiv3::OpenAPI,
    /// Unions that get one-pass decoders (`unions.rs`).
    pub unions: Vec<unions::UnionPlan>,
    /// String enums generated as open enums (`enums.rs`).
    pub enums: Vec<enums::EnumPlan>,
    /// Object components typify generates as structs: `#[non_exhaustive]`,
    /// with constructors (`constructors.rs`).
    pub structs: Vec<String>,
    /// Structs with optional nullable fields, which xtask generates itself
    /// from typify's description of them (`structs.rs`).
    pub nullable_structs: Vec<structs::StructPlan>,
}

impl Prepared {
    /// progenitor's settings for this spec: [`generate::settings`] with
    /// each planned union and enum replaced by the type xtask generates.
    pub fn settings(&self) -> progenitor::GenerationSettings {
        generate::sdk_settings(&self.unions, &self.enums, &self.structs)
    }
}

/// [`prepare`], also planning the unions and enums xtask generates itself.
pub fn prepare_with_plans(file: &Path, doc: Value) -> Result<Prepared> {
    spec::validate(file, &doc)?;
    let mut doc = doc;
    transform::apply_all(&mut doc);
    let unions = unions::plan(&doc);
    let enums = enums::plan(file, &doc)?;
    let structs = struct_names(&doc);
    let nullable_structs = structs::plan(&doc);
    Ok(Prepared {
        api: spec::to_openapi(file, &doc)?,
        unions,
        enums,
        structs,
        nullable_structs,
    })
}

/// The object components of a transformed document: those with declared
/// properties, which keep unknown fields in `extra`.
fn struct_names(doc: &Value) -> Vec<String> {
    use heck::ToUpperCamelCase;
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, schema)| {
            schema.get("properties").is_some()
                && schema.get("additionalProperties") == Some(&serde_json::json!({}))
                && schema.get("oneOf").is_none()
        })
        .map(|(name, _)| name.to_upper_camel_case())
        .collect()
}

/// Generates every file of the SDK's generated module from the fragment and
/// operation list at `layout`, without writing anything.
pub fn generate_all(layout: &Layout) -> Result<Vec<GeneratedFile>> {
    let fragment_path = layout.fragment();
    let fragment_text = std::fs::read_to_string(&fragment_path)
        .map_err(|e| XtaskError::file(&fragment_path, format!("cannot read the file: {e}")))?;
    let doc = spec::parse(&fragment_path, &fragment_text)?;
    let ops = config::load(&layout.operations())?;
    let source = relative(layout, &fragment_path);
    let module = generate_module(&fragment_path, &source, doc.clone(), &ops)?;
    let calls = calls::tokens(&fragment_path, &doc, "straddle_sdk", &module.shapes)?;
    let dir = relative(layout, &layout.generated_dir());
    let mut files: Vec<GeneratedFile> = module
        .files
        .into_iter()
        .map(|(name, contents)| GeneratedFile {
            path: format!("{dir}/{name}"),
            contents,
        })
        .collect();
    // A call of each exposed operation, for the request snapshot and the
    // contract tests.
    files.push(GeneratedFile {
        path: relative(layout, &layout.calls()),
        contents: generate::format_file(&source, calls)?,
    });
    // The mock crate's sample response of each operation.
    files.push(GeneratedFile {
        path: relative(layout, &layout.mock_generated_dir().join("samples.rs")),
        contents: generate::format_file(
            &source,
            crate::mock::samples_tokens(&fragment_path, &doc, &module.shapes)?,
        )?,
    });
    // The published crate carries the spec its code was generated from.
    files.push(GeneratedFile {
        path: relative(layout, &layout.packaged_fragment()),
        contents: fragment_text,
    });
    Ok(files)
}

/// A generated module: its files by name (`mod.rs`, `types.rs`,
/// `enums.rs`, `constructors.rs`, `unions.rs`, `resources.rs`) and the shape of each operation.
#[derive(Debug, Clone)]
pub struct Module {
    /// The files, by name.
    pub files: Vec<(&'static str, String)>,
    /// How each operation is called, in `operations.toml` order.
    pub shapes: Vec<resources::Shape>,
}

/// The generated module for the spec `doc` read from `file` (named `source`
/// in the headers) and the operations `ops`.
pub fn generate_module(
    file: &Path,
    source: &str,
    doc: Value,
    ops: &config::Operations,
) -> Result<Module> {
    let prepared = prepare_with_plans(file, doc)?;
    let api = &prepared.api;
    // First pass: typify's description of every struct, from which xtask
    // generates the structs with `Nullable` fields; the second pass has
    // typify use those.
    let (_, described) = generate::progenitor_generator(file, api, &prepared.settings())?;
    let space = described.get_type_space();
    let mut settings = prepared.settings();
    for plan in &prepared.nullable_structs {
        settings.with_replacement(&plan.name, plan.rust_path(), std::iter::empty());
    }
    let (types, _) = generate::progenitor_generator(file, api, &settings)?;
    let own_structs = structs::tokens(file, space, &prepared.nullable_structs)?;
    let mut nullable_fields = std::collections::BTreeMap::new();
    for plan in &prepared.nullable_structs {
        for field in structs::fields(file, space, plan)? {
            if field.nullable {
                nullable_fields.insert((plan.name.clone(), field.name.clone()), field.ty);
            }
        }
    }
    let field_type = |ty: &str, field: &str| {
        nullable_fields
            .get(&(ty.to_string(), field.to_string()))
            .cloned()
    };
    let unions = unions::tokens(file, &prepared.unions, space, &field_type)?;
    let enums = enums::tokens(&prepared.enums);
    let constructors = constructors::tokens(file, space, &prepared.structs, &field_type)?;
    let (tree, shapes) = resources::generate(file, api, ops, space)?;
    let files = vec![
        (
            "mod.rs",
            generate::format_file(source, resources::module_tokens())?,
        ),
        (
            "types.rs",
            generate::types_file(source, types, own_structs)?,
        ),
        ("enums.rs", generate::format_file(source, enums)?),
        (
            "constructors.rs",
            generate::format_file(source, constructors)?,
        ),
        ("unions.rs", generate::format_file(source, unions)?),
        ("resources.rs", generate::format_file(source, tree)?),
    ];
    Ok(Module { files, shapes })
}

/// What `codegen --check` found.
#[derive(Debug, Default)]
pub struct Staleness {
    /// Files whose checked-in text differs from what the spec generates.
    pub stale: Vec<String>,
    /// Files in the generated directory that the generator no longer writes.
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
    let mut result = Staleness::default();
    for file in files {
        let on_disk = std::fs::read_to_string(layout.root.join(&file.path)).ok();
        if on_disk.as_deref() != Some(file.contents.as_str()) {
            result.stale.push(file.path.clone());
        }
    }
    result.extra = extra_files(layout, files)?;
    Ok(result)
}

/// Lines of one file's diff that `codegen --check` prints; past them it
/// says how many it left out.
pub const MAX_DIFF_LINES: usize = 400;

/// A unified diff from `on_disk` (`None`: the file is missing) to
/// `generated`, with `path` in its `---`/`+++` header, at most
/// [`MAX_DIFF_LINES`] lines.
pub fn unified_diff(path: &str, on_disk: Option<&str>, generated: &str) -> String {
    let old = on_disk.unwrap_or("");
    let from = if on_disk.is_some() {
        format!("a/{path}")
    } else {
        "/dev/null".to_string()
    };
    let diff = similar::TextDiff::from_lines(old, generated)
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
        let path = layout.root.join(&file.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(file.contents.as_str()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| XtaskError::file(parent, format!("cannot create directory: {e}")))?;
        }
        std::fs::write(&path, &file.contents)
            .map_err(|e| XtaskError::file(&path, format!("cannot write: {e}")))?;
        touched.push(file.path.clone());
    }
    for extra in extra_files(layout, files)? {
        let path = layout.root.join(&extra);
        std::fs::remove_file(&path)
            .map_err(|e| XtaskError::file(&path, format!("cannot remove stale file: {e}")))?;
        touched.push(extra);
    }
    Ok(touched)
}

fn extra_files(layout: &Layout, files: &[GeneratedFile]) -> Result<Vec<String>> {
    let mut extra = Vec::new();
    for dir in layout.generated_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = relative(layout, &entry.path());
            if !files.iter().any(|f| f.path == path) {
                extra.push(path);
            }
        }
    }
    extra.sort();
    Ok(extra)
}

/// `path` relative to the workspace root, `/`-separated, for headers and messages.
pub fn relative(layout: &Layout, path: &Path) -> String {
    let rel = path.strip_prefix(&layout.root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// What a test spec generates: the SDK's module, the sample calls, and the
/// mock crate's `samples` module.
#[derive(Debug, Clone)]
pub struct SpecOutput {
    /// The generated module of the SDK.
    pub module: Module,
    /// The calls of every operation (`tests/support/calls.rs` for the fragment).
    pub calls: String,
    /// The mock crate's sample responses (`straddle-sdk-mock/src/generated/samples.rs`).
    pub samples: String,
}

/// The generated module, calls and mock samples of a test spec: `spec`
/// (OpenAPI 3.0.x) with the operations of `operations` (an
/// `operations.toml`), named `source` in the headers. What
/// `tests/specs/*.json` are snapshotted and compiled as. The calls go
/// through the crate `krate`.
pub fn spec_module(
    spec_file: &Path,
    operations: &Path,
    source: &str,
    krate: &str,
) -> Result<SpecOutput> {
    let doc = spec::load(spec_file)?;
    let ops = config::load(operations)?;
    let module = generate_module(spec_file, source, doc.clone(), &ops)?;
    let calls = calls::tokens(spec_file, &doc, krate, &module.shapes)?;
    let samples = crate::mock::samples_tokens(spec_file, &doc, &module.shapes)?;
    Ok(SpecOutput {
        calls: generate::format_file(source, calls)?,
        samples: generate::format_file(source, samples)?,
        module,
    })
}
