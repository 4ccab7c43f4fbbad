//! Locates the shared real-data sets for the conformance tests.
//!
//! The data live beside the repository in `../shared/data` (or wherever
//! `CROSSWATCH_SHARED_DATA` points). They are never copied into the repository.

use std::path::PathBuf;

/// The shared data folder, or `None` (after printing a visible skip notice
/// naming `what`) when it is absent.
pub fn shared_data(what: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("CROSSWATCH_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED conformance ({what}): shared data not found at {} (set CROSSWATCH_SHARED_DATA)",
            dir.display()
        );
        None
    }
}
