//! netreach-core: Kubernetes NetworkPolicy reachability as a pure function.
//!
//! ```text
//! manifests (path, text) ──► model ──► reachability ──► diff / explain / lint ──► report
//! ```
//!
//! The crate does no I/O: front-ends pass [`SourceFile`]s and options, and get plain data
//! back. That keeps the CLI, the GitHub Action, the browser playground and the Argo CD plugin
//! in exact agreement, and makes every step easy to test and benchmark.

pub mod analysis;
pub mod api;
pub mod diagnostic;
pub mod diff;
pub mod engine;
pub mod expect;
pub mod explain;
pub mod generate;
pub mod ipset;
pub mod lint;
pub mod lock;
pub mod model;
pub mod options;
pub mod parallel;
pub mod parse;
pub mod ports;
pub mod report;
pub mod selector;
pub mod source;

pub use diagnostic::{Diagnostic, Severity};
pub use options::Options;
pub use source::{Location, ObjectRef, Origin, SourceFile};
