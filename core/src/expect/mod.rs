//! Expectations: what must always hold about reachability, checked on every change.
//!
//! Teams write an expectations file (`netreach.yaml` by default; format in
//! `docs/expectations.md`, JSON Schema in `schema/netreach.schema.json`):
//!
//! ```yaml
//! version: 1
//! expectations:
//!   - name: storefront reaches cart
//!     from: shop-web/Deployment/storefront
//!     to: shop-core/Deployment/cart
//!     allow: TCP 50051
//!   - name: only shop-core reaches the data tier
//!     isolation:
//!       namespace: shop-data
//!       ingress-only-from: [{namespace: shop-core}]
//! ```
//!
//! [`parse()`] reads the file strictly — an unknown key, a bad port or CIDR is an
//! [`ExpectError`] with file and line, and front-ends stop on it. [`evaluate()`] checks the
//! parsed expectations against an analysis and returns findings as data: per expectation
//! pass or fail, the offending pairs (capped, with a count) and, for the first few, the
//! explanation naming the deciding policy and rule. A subject that matches nothing fails its
//! expectation, so a typo never passes silently.
//!
//! ```
//! use netreach_core::{api, expect, Options, SourceFile};
//! let manifests = [SourceFile::new("app.yaml", "\
//! apiVersion: v1
//! kind: Pod
//! metadata: {name: web, namespace: shop, labels: {app: web}}
//! ---
//! apiVersion: v1
//! kind: Pod
//! metadata: {name: db, namespace: shop, labels: {app: db}}
//! ")];
//! let file = SourceFile::new("netreach.yaml", "\
//! version: 1
//! expectations:
//!   - name: web reaches db
//!     from: shop/Pod/web
//!     to: shop/db
//!     allow: TCP 5432
//! ");
//! let expectations = expect::parse(&file).unwrap();
//! let (model, analysis) = api::analyze(&manifests, &Options::default());
//! let results = expect::evaluate(&expectations, &model, &analysis, &manifests);
//! assert!(results.all_passed(), "{results:?}");
//! ```

pub mod evaluate;
pub mod file;
pub mod parse;
pub mod ports;
pub mod result;
pub mod subject;

pub use evaluate::evaluate;
pub use file::{
    Assertion, Exception, Expectation, Expectations, PortSpec, Verdict, DEFAULT_EXPECTATIONS_PATH, EXPECTATIONS_VERSION,
};
pub use parse::{parse, ExpectError, ExpectErrorKind};
pub use result::{AssertionKind, ExpectationResult, ExpectationResults, Unmatched, Violation};
pub use subject::{Subject, SubjectItem, WorkloadFilter};
