//! stackc: a compiler for infrastructure diagrams-as-code.
//!
//! The pipeline flows one way; see `ARCHITECTURE.md`:
//! `syntax` (text to AST) -> `model` (names, roles, groups to a checked
//! topology) -> `analysis` (availability model, SPOFs, rules) -> emitters
//! (`report`). The library does no I/O: it takes text and returns data.

pub mod diag;
pub mod syntax;
