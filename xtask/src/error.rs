//! One error type for every xtask step: it always names the file and, where
//! the problem is inside a document, the JSON pointer.

use std::fmt;
use std::path::{Path, PathBuf};

/// An error from a maintainer command, with enough context to find the cause.
#[derive(Debug)]
pub struct XtaskError {
    /// The file the error is about.
    pub file: PathBuf,
    /// JSON pointer inside that file (RFC 6901), when the error is about a node.
    pub pointer: Option<String>,
    /// What is wrong, in one line.
    pub message: String,
}

impl XtaskError {
    /// An error about a whole file.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            pointer: None,
            message: one_line(message.into()),
        }
    }

    /// An error about the node at `pointer` in `file`.
    pub fn at(file: &Path, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            pointer: Some(pointer.into()),
            message: one_line(message.into()),
        }
    }
}

fn one_line(message: String) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl fmt::Display for XtaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pointer {
            Some(p) => write!(f, "{}#{}: {}", self.file.display(), p, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for XtaskError {}

/// Result of an xtask step.
pub type Result<T> = std::result::Result<T, XtaskError>;

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Builds a JSON pointer from its unescaped tokens.
pub fn pointer<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    tokens
        .into_iter()
        .map(|t| format!("/{}", escape_token(t)))
        .collect()
}
