//! Why an expectation could not be mounted.

use std::fmt;

/// Why [`crate::Expectation::mount`] failed: a mistake in the test's
/// expectation, found before any request is made.
#[derive(Debug)]
#[non_exhaustive]
pub enum MockError {
    /// The expectation's arguments are ones the SDK refuses to send (a
    /// non-UUID id, a header with a line break, ...), so no request of the
    /// SDK could match it.
    InvalidArguments {
        /// The expectation: its method, path and arguments.
        expectation: String,
        /// What the SDK said of the arguments.
        source: straddle_sdk::Error,
    },
    /// The expectation has no answer: call `.answer(..)` before `.mount()`.
    NoAnswer {
        /// The expectation: its method, path and arguments.
        expectation: String,
    },
    /// The answer cannot be sent: a body that cannot be written as JSON, a
    /// content type that cannot be a header, an empty sequence.
    InvalidAnswer {
        /// The expectation: its method, path and arguments.
        expectation: String,
        /// What is wrong with the answer.
        message: String,
    },
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MockError::InvalidArguments {
                expectation,
                source,
            } => write!(
                f,
                "the expectation {expectation} has arguments the SDK would not send: {source}"
            ),
            MockError::NoAnswer { expectation } => write!(
                f,
                "the expectation {expectation} has no answer: call `.answer(..)` before `.mount()`"
            ),
            MockError::InvalidAnswer {
                expectation,
                message,
            } => write!(f, "the expectation {expectation} cannot answer: {message}"),
        }
    }
}

impl std::error::Error for MockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MockError::InvalidArguments { source, .. } => Some(source),
            MockError::NoAnswer { .. } | MockError::InvalidAnswer { .. } => None,
        }
    }
}
