//! The first stage: the OpenAPI document and the operation list as read
//! from disk, checked, cut from upstream and made lenient. Nothing here
//! knows about Rust types; [`crate::model`] reads what this stage prepared.
//!
//! - [`load`]: read and validate a 3.0.x document (every error names the
//!   file and the JSON pointer);
//! - [`operations`]: `openapi/operations.toml`, the operations (and webhook
//!   events) the SDK exposes and where each sits in the resource tree;
//! - [`extract`]: `cargo xtask spec extract`, the fragment cut from upstream;
//! - [`transform`]: the leniency rules, one small function each;
//! - [`sample`]: a JSON value that a schema accepts, for sample calls and
//!   mock responses.

pub mod extract;
pub mod load;
pub mod operations;
pub mod sample;
pub mod transform;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::Result;

pub use load::{METHODS, resolve};

/// A spec ready for modelling: as written (samples come from it, so they
/// satisfy its patterns and formats) and after the leniency rules.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The file it was read from, which errors name.
    pub file: PathBuf,
    /// How generated files name it in their header (`openapi/straddle.json`).
    pub source: String,
    /// The document as written.
    pub raw: Value,
    /// The document after [`transform::apply_all`].
    pub doc: Value,
    /// [`Spec::doc`] as progenitor's typed OpenAPI model.
    pub api: openapiv3::OpenAPI,
}

impl Spec {
    /// Checks `raw` (read from `file`, named `source` in headers) and
    /// applies the leniency rules.
    pub fn new(file: &Path, source: &str, raw: Value) -> Result<Self> {
        load::validate(file, &raw)?;
        let mut doc = raw.clone();
        transform::apply_all(&mut doc);
        let api = load::to_openapi(file, &doc)?;
        Ok(Self {
            file: file.to_path_buf(),
            source: source.to_string(),
            raw,
            doc,
            api,
        })
    }

    /// Reads, checks and transforms the spec at `file`.
    pub fn read(file: &Path, source: &str) -> Result<Self> {
        Self::new(file, source, load::load(file)?)
    }

    /// The transformed document's component schemas, by name.
    pub fn schemas(&self) -> impl Iterator<Item = (&String, &Map<String, Value>)> {
        self.doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(name, schema)| Some((name, schema.as_object()?)))
    }

    /// A sample value of the schema at the JSON pointer `at` of the
    /// document as written.
    pub fn sample_at(&self, at: &str) -> Result<Value> {
        let schema = self.raw.pointer(at).ok_or_else(|| {
            crate::error::XtaskError::at(&self.file, at, "no schema here to sample")
        })?;
        Ok(sample::sample(&self.raw, schema))
    }
}

/// Whether `schema` is a string enum: an `enum` of strings with no `type`
/// or `type: string`.
pub fn is_string_enum(schema: &Map<String, Value>) -> bool {
    schema
        .get("type")
        .and_then(Value::as_str)
        .is_none_or(|t| t == "string")
        && schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|v| !v.is_empty() && v.iter().all(Value::is_string))
}

/// Whether `schema` is an object component whose unknown fields are kept
/// (an `extra` map after [`transform::keep_unknown_fields`]): a struct.
pub fn is_struct(schema: &Map<String, Value>) -> bool {
    schema.get("properties").is_some()
        && schema.get("additionalProperties") == Some(&Value::Object(Map::new()))
        && schema.get("oneOf").is_none()
}

/// The names a schema lists under `required`.
pub fn required(schema: &Map<String, Value>) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}
