//! Rust types as model values. The model says what a field, an argument or
//! a response *is* (`Vec<types::Widget>`, `Nullable<String>`, a UUID
//! argument); [`crate::emit`] decides how to spell it in a given crate.
//! Stages compare types as values, never as text.

use crate::error::{Result, XtaskError};

/// A Rust type of the generated API.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    /// `()`: a response without a body.
    Unit,
    /// `bool`.
    Bool,
    /// An integer or float type as typify names it (`i64`, `u64`, `f64`, ...).
    Number(String),
    /// `String`.
    String,
    /// `serde_json::Value`: a body the spec does not describe.
    Json,
    /// `serde_json::Map<String, serde_json::Value>`: a struct's unknown fields.
    JsonMap,
    /// A type of the generated `types` module (struct, open enum, union,
    /// newtype), by its name.
    Named(String),
    /// `crate::Timestamp`: a `date-time` string that keeps the server's text.
    Timestamp,
    /// `uuid::Uuid`.
    Uuid,
    /// `crate::UuidArg`: a UUID argument, given as text or a `Uuid`.
    UuidArg,
    /// `chrono::NaiveDate`: a `date` parameter.
    Date,
    /// `chrono::DateTime<chrono::Utc>`: a `date-time` parameter.
    DateTime,
    /// Any other type typify names by a path, kept as typify spells it.
    Path(String),
    /// `Option<T>`.
    Option(Box<Ty>),
    /// `crate::Nullable<T>`: absent, `null` or a value.
    Nullable(Box<Ty>),
    /// `Vec<T>`.
    Vec(Box<Ty>),
    /// `Box<T>`.
    Box(Box<Ty>),
    /// An ordered map: `indexmap::IndexMap<K, V>`.
    Map(Box<Ty>, Box<Ty>),
}

impl Ty {
    /// The element of a `Vec<T>`.
    pub fn vec_item(&self) -> Option<&Ty> {
        match self {
            Ty::Vec(item) => Some(item),
            _ => None,
        }
    }

    /// `T` for an `Option<T>` or `Nullable<T>`, else the type itself: what
    /// a setter of an optional field takes.
    pub fn inner(&self) -> &Ty {
        match self {
            Ty::Option(inner) | Ty::Nullable(inner) => inner,
            other => other,
        }
    }

    /// Whether the type is an integer (a page number can be one).
    pub fn is_integer(&self) -> bool {
        matches!(self, Ty::Number(n) if n.starts_with('i') || n.starts_with('u'))
    }
}

/// Where the generated module puts the types typify is told to use in
/// place of its own (`with_replacement`), as typify must spell them from
/// anywhere in the crate: one path prefix per module.
pub const REPLACED: &[&str] = &[
    "crate::generated::types::",
    "crate::generated::enums::",
    "crate::generated::unions::",
];

/// The type typify generated for `id`, as a model value.
pub fn from_typify(space: &typify::TypeSpace, id: &typify::TypeId) -> Result<Ty> {
    let ty = space.get_type(id).map_err(|e| {
        XtaskError::file(
            std::path::Path::new("<typify>"),
            format!("a type id typify gave does not resolve: {e}"),
        )
    })?;
    let of = |id: &typify::TypeId| from_typify(space, id).map(Box::new);
    Ok(match ty.details() {
        typify::TypeDetails::Struct(_)
        | typify::TypeDetails::Enum(_)
        | typify::TypeDetails::Newtype(_) => Ty::Named(ty.name()),
        typify::TypeDetails::Option(inner) => match from_typify(space, &inner)? {
            // typify flattens `Option<Option<T>>` too.
            Ty::Option(inner) => Ty::Option(inner),
            inner => Ty::Option(Box::new(inner)),
        },
        typify::TypeDetails::Vec(item) | typify::TypeDetails::Set(item) => Ty::Vec(of(&item)?),
        typify::TypeDetails::Box(inner) => Ty::Box(of(&inner)?),
        typify::TypeDetails::Map(key, value) => match (of(&key)?, of(&value)?) {
            (key, value) if *key == Ty::String && *value == Ty::Json => Ty::JsonMap,
            (key, value) => Ty::Map(key, value),
        },
        typify::TypeDetails::Unit => Ty::Unit,
        typify::TypeDetails::String => Ty::String,
        typify::TypeDetails::Builtin(path) => builtin(path),
        typify::TypeDetails::Tuple(_) | typify::TypeDetails::Array(..) => {
            Ty::Path(ty.ident().to_string())
        }
    })
}

/// A type typify names by a path: numbers, `bool`, JSON, the conversions
/// the settings configure, and the replacement types.
fn builtin(path: &str) -> Ty {
    if let Some(name) = REPLACED.iter().find_map(|prefix| path.strip_prefix(prefix)) {
        return Ty::Named(name.to_string());
    }
    match path {
        "bool" => Ty::Bool,
        "::serde_json::Value" => Ty::Json,
        "crate::Timestamp" => Ty::Timestamp,
        "::uuid::Uuid" | "uuid::Uuid" => Ty::Uuid,
        n if n.len() <= 5
            && n.starts_with(['i', 'u', 'f'])
            && n[1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ty::Number(n.to_string())
        }
        other => Ty::Path(other.to_string()),
    }
}
