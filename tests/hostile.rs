//! Hostile-input tests (filled in below).
