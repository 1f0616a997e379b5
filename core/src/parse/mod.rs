//! Manifests → [`Model`]: split streams into documents, read the kinds netreach models,
//! validate them like the API server, and keep every object's origin.
//!
//! The steps, each in its own module:
//! 1. `documents`: a file becomes documents (YAML `---` streams; JSON is one document),
//!    split by hand so one broken document cannot hide the others;
//! 2. `read`: each document is read on its own into `effects` — its kind is sniffed cheaply
//!    (`kinds`); kinds we do not model are counted in [`Model::skipped`] and never read
//!    further; `List`s and typed lists (`PodList`, …) are opened and their items read one
//!    by one; a modelled object is deserialised once into its k8s-openapi type (or our own
//!    structs for admin policies) with errors naming the field path (`decode`), then
//!    converted with the API server's defaults and validation (`workloads`,
//!    `network_policy`, `admin_policy`, `validate`); an invalid object becomes diagnostics
//!    and is skipped, everything else is still analysed;
//! 3. `sides`: documents are read on every core, and a document both sides of a diff hold
//!    unchanged is read once;
//! 4. `assemble`: each side's effects are added in input order — duplicates, examples of
//!    skipped kinds — then workloads fold into their controllers and every referenced
//!    namespace exists.
//!
//! Every diagnostic names file, document, object, field path and line (`locate`). Codes:
//! - errors (the object or document is skipped): `yaml-syntax` (unreadable YAML/JSON, also
//!   nesting or alias limits), `not-kubernetes`, `invalid-object` (wrong type, missing
//!   required field), `invalid-name`, `invalid-label`, `invalid-selector`, `invalid-cidr`,
//!   `invalid-except`, `ipblock-with-selector`, `empty-peer`, `invalid-port`,
//!   `invalid-end-port`, `invalid-protocol`, `invalid-policy-type`, `duplicate-object`;
//! - warnings: `unsupported-api-version` (a modelled kind at a removed API version, counted
//!   as skipped), `unsupported-peer` (admin policy `nodes`/`domainNames` peers).
//!
//! ```
//! use netreach_core::{parse::parse, Options, SourceFile};
//! let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\n";
//! let model = parse(&[SourceFile::new("pod.yaml", yaml)], &Options::default());
//! assert_eq!(&*model.workloads[0].id, "shop/Pod/web");
//! assert!(model.namespaces.contains_key("shop"));
//! ```

mod admin_policy;
mod assemble;
mod decode;
mod documents;
mod effects;
mod kinds;
mod locate;
mod network_policy;
mod read;
mod sides;
mod validate;
mod workloads;

use crate::model::Model;
use crate::options::Options;
use crate::parallel;
use crate::source::{Origin, SourceFile};

use self::assemble::Assembler;
use self::sides::SideEffects;

pub use locate::field_line;

/// Parses every file into one model. Never fails: unusable documents become diagnostics.
pub fn parse(files: &[SourceFile], options: &Options) -> Model {
    let namespace = read::default_namespace(options);
    let [effects] = sides::read([files], namespace);
    assemble(namespace, files, effects)
}

/// Parses both sides of a diff, `(base, head)`, exactly as [`parse`] would each, reading a
/// document the head has unchanged from the base (same file, same text) only once.
pub fn parse_pair(base: &[SourceFile], head: &[SourceFile], options: &Options) -> (Model, Model) {
    let namespace = read::default_namespace(options);
    let [base_effects, head_effects] = sides::read([base, head], namespace);
    parallel::both(
        || assemble(namespace, base, base_effects),
        || assemble(namespace, head, head_effects),
    )
}

fn assemble(default_namespace: &str, files: &[SourceFile], effects: SideEffects<'_>) -> Model {
    let mut assembler = Assembler::new(default_namespace, files);
    for (file, effects) in effects {
        for effect in effects {
            assembler.apply(file, effect);
        }
    }
    assembler.finish()
}

/// The 1-based line of `field` (relative to the object, e.g. `spec.ingress[0]`) of the
/// object that came from `origin`; the object's own line when the field is not found.
/// List items are looked up under their `items[i]`.
pub fn locate(files: &[SourceFile], origin: &Origin, field: &str) -> usize {
    let Some(file) = files.iter().find(|f| *f.path == *origin.path) else {
        return origin.line;
    };
    let docs = documents::split(&file.text);
    let Some(doc) = docs.iter().find(|d| d.index == origin.document) else {
        return origin.line;
    };
    let full = match origin.item {
        Some(i) if !field.starts_with("items[") => item_field(i, field),
        _ => field.to_string(),
    };
    field_line(doc.text, doc.first_line, &full).unwrap_or(origin.line)
}

fn item_field(item: usize, field: &str) -> String {
    if field.is_empty() {
        format!("items[{item}]")
    } else if field.starts_with('[') {
        format!("items[{item}]{field}")
    } else {
        format!("items[{item}].{field}")
    }
}
