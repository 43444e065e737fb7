//! Phase 1: text to syntax tree. The pest grammar lives in
//! `grammar/stack.pest`; `parser` drives it statement by statement so that
//! every syntax error of a file is reported in one run.

mod ast;
mod error;
mod parser;

pub use ast::*;
/// The statements' keywords, which no name may be.
pub use error::KEYWORDS;
pub use parser::{grammar_accepts, parse, Parsed};
