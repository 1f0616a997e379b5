//! Manifests → [`Model`]: split streams into documents, read the kinds netreach models,
//! validate them like the API server, and keep every object's origin.
//!
//! The steps, each in its own module:
//! 1. `documents`: a file becomes documents (YAML `---` streams; JSON is one document),
//!    split by hand so one broken document cannot hide the others;
//! 2. `kinds`: each document's `apiVersion`/`kind` is sniffed cheaply; kinds we do not
//!    model are counted in [`Model::skipped`] and never read further; `List`s and typed
//!    lists (`PodList`, …) are opened and their items read one by one;
//! 3. `decode`: a modelled object is deserialised once into its k8s-openapi type (or our
//!    own structs for admin policies), with errors naming the field path;
//! 4. `workloads`, `network_policy`, `admin_policy`: conversion to the model with the
//!    API server's defaults and validation (`validate`); an invalid object becomes
//!    diagnostics and is skipped, everything else is still analysed;
//! 5. finally workloads fold into their controllers and every referenced namespace exists.
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
//! assert_eq!(model.workloads[0].id, "shop/Pod/web");
//! assert!(model.namespaces.contains_key("shop"));
//! ```

mod admin_policy;
mod decode;
mod documents;
mod kinds;
mod locate;
mod memo;
mod network_policy;
mod validate;
mod workloads;

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::networking::v1 as networking;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;

pub use locate::field_line;

use self::decode::{decode, Problem, Source};
use self::documents::{Document, Format};
use self::kinds::Sniffed;
use self::memo::{Defined, Effect, Memo, Position};
use self::validate::Issues;
use self::workloads::RawWorkload;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{self, AdminPolicy, Model, WorkloadKind};
use crate::options::Options;
use crate::source::{Location, ObjectRef, Origin, SourceFile};

/// How many example locations [`Model::skipped`] keeps per kind.
const SKIPPED_EXAMPLES: usize = 5;

/// Parses every file into one model. Never fails: unusable documents become diagnostics.
pub fn parse(files: &[SourceFile], options: &Options) -> Model {
    let mut parser = Parser::new(options, None);
    for file in files {
        parser.file(file);
    }
    parser.finish()
}

/// Parses both sides of a diff, `(base, head)`, exactly as [`parse`] would each.
///
/// Where threads exist the two sides are read concurrently; without them (WebAssembly) the
/// head's unchanged documents are replayed from the base instead ([`parse_pair_once`]).
/// On two cores and more, concurrency is the faster of the two.
pub fn parse_pair(base: &[SourceFile], head: &[SourceFile], options: &Options) -> (Model, Model) {
    #[cfg(not(target_family = "wasm"))]
    {
        crate::parallel::both(|| parse(base, options), || parse(head, options))
    }
    #[cfg(target_family = "wasm")]
    {
        parse_pair_once(base, head, options)
    }
}

/// Parses both sides of a diff on one thread, reading a head document whose text is
/// unchanged from the base (in the same file) only once: see `memo`. The models are the
/// same as [`parse`] gives for each side.
pub fn parse_pair_once(base: &[SourceFile], head: &[SourceFile], options: &Options) -> (Model, Model) {
    let mut parser = Parser::new(options, None);
    parser.recording = Some(Memo::default());
    for file in base {
        parser.file(file);
    }
    let memo = parser.recording.take().unwrap_or_default();
    let base_model = parser.finish();
    let mut parser = Parser::new(options, Some(memo));
    for file in head {
        parser.file(file);
    }
    (base_model, parser.finish())
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

/// What netreach does with a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Class {
    Workload(WorkloadKind),
    Namespace,
    Service,
    NetworkPolicy,
    Admin {
        baseline: bool,
    },
    /// `kind: List`, or a typed list whose items are `(apiVersion, kind)`.
    List(Option<(String, String)>),
    /// A modelled kind at an API version current clusters no longer serve.
    Removed,
    Other,
}

fn classify(api_version: &str, kind: &str) -> Class {
    let modelled = match (api_version, kind) {
        ("v1", "Pod") => Some(Class::Workload(WorkloadKind::Pod)),
        ("v1", "ReplicationController") => Some(Class::Workload(WorkloadKind::ReplicationController)),
        ("apps/v1", "Deployment") => Some(Class::Workload(WorkloadKind::Deployment)),
        ("apps/v1", "StatefulSet") => Some(Class::Workload(WorkloadKind::StatefulSet)),
        ("apps/v1", "DaemonSet") => Some(Class::Workload(WorkloadKind::DaemonSet)),
        ("apps/v1", "ReplicaSet") => Some(Class::Workload(WorkloadKind::ReplicaSet)),
        ("batch/v1", "Job") => Some(Class::Workload(WorkloadKind::Job)),
        ("batch/v1", "CronJob") => Some(Class::Workload(WorkloadKind::CronJob)),
        ("v1", "Namespace") => Some(Class::Namespace),
        ("v1", "Service") => Some(Class::Service),
        ("networking.k8s.io/v1", "NetworkPolicy") => Some(Class::NetworkPolicy),
        (admin_policy::API_VERSION, "AdminNetworkPolicy") => Some(Class::Admin { baseline: false }),
        (admin_policy::API_VERSION, "BaselineAdminNetworkPolicy") => Some(Class::Admin { baseline: true }),
        _ => None,
    };
    if let Some(class) = modelled {
        return class;
    }
    if kind == "List" {
        return Class::List(None);
    }
    if let Some(item_kind) = kind.strip_suffix("List").filter(|k| !k.is_empty()) {
        return match classify(api_version, item_kind) {
            Class::Other | Class::List(_) | Class::Removed => Class::Other,
            _ => Class::List(Some((api_version.to_string(), item_kind.to_string()))),
        };
    }
    let known = WorkloadKind::parse(kind).is_some()
        || matches!(
            kind,
            "NetworkPolicy" | "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy"
        );
    let known_group = matches!(
        api_version.split('/').next(),
        Some("extensions" | "apps" | "batch" | "networking.k8s.io" | "policy.networking.k8s.io" | "v1")
    );
    if known && known_group {
        Class::Removed
    } else {
        Class::Other
    }
}

impl Document<'_> {
    fn position(&self) -> Position {
        Position {
            index: self.index,
            first_line: self.first_line,
        }
    }
}

/// Where an object is: its file, document and (for list items) item index.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    file: &'a SourceFile,
    /// The file's path, shared by the origins of all its objects.
    path: &'a std::sync::Arc<str>,
    doc: &'a Document<'a>,
    item: Option<usize>,
}

impl Ctx<'_> {
    fn origin(&self) -> Origin {
        Origin {
            path: self.path.clone(),
            document: self.doc.index,
            line: self.line(""),
            item: self.item,
        }
    }

    /// The field path within the document (list items under `items[i]`).
    fn full_field(&self, field: &str) -> String {
        match self.item {
            Some(i) => item_field(i, field),
            None => field.to_string(),
        }
    }

    /// The file line of a field (relative to the object), or of the object itself.
    fn line(&self, field: &str) -> usize {
        let full = self.full_field(field);
        locate::field_line(self.doc.text, self.doc.first_line, &full).unwrap_or(self.doc.content_line)
    }

    fn location(&self, object: Option<ObjectRef>, field: &str, line: usize) -> Location {
        let full = self.full_field(field);
        Location {
            path: self.file.path.clone(),
            document: self.doc.index,
            line,
            object,
            field: (!full.is_empty()).then_some(full),
        }
    }
}

/// Just enough of any object to name it in a message.
#[derive(Deserialize, Default)]
struct MetaOnly {
    #[serde(default)]
    metadata: Option<NameOnly>,
}

#[derive(Deserialize, Default)]
struct NameOnly {
    name: Option<String>,
    namespace: Option<String>,
}

/// A list document: only its items are read.
#[derive(Deserialize)]
struct ListDoc {
    #[serde(default)]
    items: Option<Vec<serde_yaml::Value>>,
}

struct Parser<'a> {
    default_namespace: String,
    model: Model,
    workloads: Vec<RawWorkload>,
    admin_policies: Vec<AdminPolicy>,
    /// Every object kept so far → where it was first defined (path, document, line).
    seen: HashMap<ObjectRef, (usize, usize, usize)>,
    /// Paths of the files read so far (`seen` refers to them by index).
    paths: Vec<String>,
    /// The other side's documents, replayed where unchanged.
    replay: Option<Memo<'a>>,
    /// Documents recorded for the other side, and the current document's effects.
    recording: Option<Memo<'a>>,
    log: Option<Vec<Effect>>,
    interner: workloads::Interner,
    /// The path of the file being read, shared by its objects' origins.
    path: std::sync::Arc<str>,
}

impl<'a> Parser<'a> {
    fn new(options: &Options, replay: Option<Memo<'a>>) -> Self {
        let default_namespace = if options.namespace.is_empty() {
            "default".to_string()
        } else {
            options.namespace.clone()
        };
        Parser {
            default_namespace,
            model: Model::default(),
            workloads: Vec::new(),
            admin_policies: Vec::new(),
            seen: HashMap::default(),
            paths: Vec::new(),
            replay,
            recording: None,
            log: None,
            interner: workloads::Interner::default(),
            path: "".into(),
        }
    }

    fn file(&mut self, file: &'a SourceFile) {
        self.paths.push(file.path.clone());
        self.path = file.path.as_str().into();
        let docs = documents::split(&file.text);
        if let [doc] = docs.as_slice() {
            if doc.format == Format::Json {
                match kinds::sniff(doc) {
                    // Not JSON after all: perhaps flow-style YAML.
                    Err(json_problem) if json_problem.code == "yaml-syntax" => {
                        let yaml_docs = documents::split_yaml(&file.text);
                        let sniffed: Vec<_> = yaml_docs.iter().map(kinds::sniff).collect();
                        if sniffed.iter().all(Result::is_err) {
                            self.document(file, doc, Err(json_problem));
                        } else {
                            for (yaml_doc, result) in yaml_docs.iter().zip(sniffed) {
                                self.document(file, yaml_doc, result);
                            }
                        }
                    }
                    result => self.document(file, doc, result),
                }
                return;
            }
        }
        for doc in &docs {
            if self.replayed(file, doc) {
                continue;
            }
            if self.recording.is_some() {
                self.log = Some(Vec::new());
            }
            self.document(file, doc, kinds::sniff(doc));
            if let (Some(memo), Some(effects)) = (&mut self.recording, self.log.take()) {
                memo.record(&file.path, doc.text, doc.position(), effects);
            }
        }
    }

    /// Replays a document recorded on the other side, if it is unchanged; false when it
    /// must be read.
    fn replayed(&mut self, file: &SourceFile, doc: &Document<'_>) -> bool {
        let Some(effects) = self
            .replay
            .as_mut()
            .and_then(|memo| memo.take(&file.path, doc.text, doc.position()))
        else {
            return false;
        };
        // A skipped object the other side did not keep as an example may be one here.
        let mut kept: HashMap<&str, usize> = HashMap::default();
        for effect in &effects {
            if let Effect::Skipped { key, example } = effect {
                let known = self.model.skipped.get(key).map_or(0, |s| s.examples.len());
                let count = kept.entry(key).or_default();
                if known + *count < SKIPPED_EXAMPLES {
                    if example.is_none() {
                        return false;
                    }
                    *count += 1;
                }
            }
        }
        for effect in effects {
            self.apply(effect);
        }
        true
    }

    /// Changes the parser's state; every change goes through here so it can be recorded.
    fn apply(&mut self, effect: Effect) {
        if let Some(log) = &mut self.log {
            log.push(effect.clone());
        }
        match effect {
            Effect::Diagnostic(diagnostic) => self.model.diagnostics.push(diagnostic),
            Effect::Skipped { key, example } => {
                let entry = self.model.skipped.entry(key).or_default();
                entry.count += 1;
                if entry.examples.len() < SKIPPED_EXAMPLES {
                    entry.examples.extend(example);
                }
            }
            Effect::Defined {
                object,
                location,
                value,
            } => {
                if let Some(&(path, document, line)) = self.seen.get(&object) {
                    let message = format!(
                        "{object}: defined more than once; this definition is ignored, the first is at {}:{line} (document {document})",
                        self.paths[path]
                    );
                    self.model.diagnostics.push(Diagnostic {
                        code: "duplicate-object".to_string(),
                        severity: Severity::Error,
                        message,
                        location,
                    });
                    return;
                }
                self.seen
                    .insert(object, (self.paths.len() - 1, location.document, location.line));
                match *value {
                    Defined::Workload(workload) => self.workloads.push(workload),
                    Defined::Namespace(namespace) => {
                        self.model.namespaces.insert(namespace.name.clone(), namespace);
                    }
                    Defined::Service(service) => self.model.services.push(service),
                    Defined::Policy(policy) => self.model.policies.push(policy),
                    Defined::Admin(policy) => self.admin_policies.push(policy),
                    Defined::Baseline(policy) => self.model.baseline_policy = Some(policy),
                }
            }
        }
    }

    /// Keeps a valid object, unless it is a duplicate (reported).
    fn define(&mut self, ctx: &Ctx<'_>, object: ObjectRef, value: Defined) {
        let location = ctx.location(Some(object.clone()), "", ctx.line(""));
        self.apply(Effect::Defined {
            object,
            location,
            value: Box::new(value),
        });
    }

    fn document(&mut self, file: &SourceFile, doc: &Document<'_>, sniffed: Result<Sniffed, Problem>) {
        let path = self.path.clone();
        let ctx = Ctx {
            file,
            path: &path,
            doc,
            item: None,
        };
        match sniffed {
            Err(problem) => self.report(&ctx, None, problem, Severity::Error),
            Ok(Sniffed::Empty) => {}
            Ok(Sniffed::NotMapping(what)) => self.not_kubernetes(&ctx, what),
            Ok(Sniffed::NoKind) => self.no_kind(&ctx),
            Ok(Sniffed::Object { api_version, kind }) => {
                self.object(&ctx, Source::Document(doc), api_version.as_deref(), &kind);
            }
        }
    }

    fn not_kubernetes(&mut self, ctx: &Ctx<'_>, what: &str) {
        let message = format!("not a Kubernetes object: expected a mapping with `apiVersion` and `kind`, found {what}");
        self.report(ctx, None, Problem::new("not-kubernetes", "", message), Severity::Error);
    }

    fn no_kind(&mut self, ctx: &Ctx<'_>) {
        let message = "not a Kubernetes object: no `kind`";
        self.report(ctx, None, Problem::new("not-kubernetes", "", message), Severity::Error);
    }

    fn object(&mut self, ctx: &Ctx<'_>, source: Source<'_>, api_version: Option<&str>, kind: &str) {
        let Some(api_version) = api_version.filter(|a| !a.is_empty()) else {
            let object = self.name_of(source, kind, true);
            let message = format!("{kind} without `apiVersion`");
            self.report(
                ctx,
                object,
                Problem::new("invalid-object", "apiVersion", message),
                Severity::Error,
            );
            return;
        };
        match classify(api_version, kind) {
            Class::Workload(workload_kind) => self.workload(ctx, source, workload_kind),
            Class::Namespace => self.namespace(ctx, source),
            Class::Service => self.service(ctx, source),
            Class::NetworkPolicy => self.network_policy(ctx, source),
            Class::Admin { baseline } => self.admin_policy(ctx, source, baseline),
            Class::List(item_type) => match (source, ctx.item) {
                (Source::Document(doc), None) => self.list(ctx, doc, item_type.as_ref()),
                // Lists inside lists are not something kubectl produces.
                _ => self.skip(ctx, source, api_version, kind),
            },
            Class::Removed => {
                let object = self.name_of(source, kind, true);
                let message = format!(
                    "{kind} {api_version} is not served by current Kubernetes versions; netreach reads only the current API version, so this object is skipped"
                );
                self.report(
                    ctx,
                    object,
                    Problem::new("unsupported-api-version", "apiVersion", message),
                    Severity::Warning,
                );
                self.skip(ctx, source, api_version, kind);
            }
            Class::Other => self.skip(ctx, source, api_version, kind),
        }
    }

    fn list(&mut self, ctx: &Ctx<'_>, doc: &Document<'_>, item_type: Option<&(String, String)>) {
        let list: ListDoc = match decode(Source::Document(doc)) {
            Ok(list) => list,
            Err(problem) => return self.report(ctx, None, problem, Severity::Error),
        };
        for (i, item) in list.items.iter().flatten().enumerate() {
            let item_ctx = Ctx { item: Some(i), ..*ctx };
            match kinds::sniff_value(item) {
                Sniffed::Empty => {}
                Sniffed::NotMapping(what) => self.not_kubernetes(&item_ctx, what),
                Sniffed::NoKind => match item_type {
                    Some((api_version, kind)) => {
                        self.object(&item_ctx, Source::Value(item), Some(api_version), kind);
                    }
                    None => self.no_kind(&item_ctx),
                },
                Sniffed::Object { api_version, kind } => {
                    let inferred = item_type.map(|(a, _)| a.as_str());
                    self.object(
                        &item_ctx,
                        Source::Value(item),
                        api_version.as_deref().or(inferred),
                        &kind,
                    );
                }
            }
        }
    }

    /// Counts a document of a kind netreach does not model.
    fn skip(&mut self, ctx: &Ctx<'_>, source: Source<'_>, api_version: &str, kind: &str) {
        let key = format!("{api_version}/{kind}");
        let known = self.model.skipped.get(&key).map_or(0, |s| s.examples.len());
        let example = (known < SKIPPED_EXAMPLES).then(|| {
            let object = self.name_of(source, kind, true);
            ctx.location(object, "", ctx.line(""))
        });
        self.apply(Effect::Skipped { key, example });
    }

    /// The `kind/namespace/name` of an object that could not be fully read (best effort).
    fn name_of(&self, source: Source<'_>, kind: &str, namespaced: bool) -> Option<ObjectRef> {
        let meta: MetaOnly = match source {
            Source::Document(doc) => match doc.format {
                Format::Yaml => serde_yaml::from_str(doc.text).ok()?,
                Format::Json => serde_json::from_str(doc.text).ok()?,
            },
            Source::Value(value) => MetaOnly::deserialize(value).ok()?,
        };
        let meta = meta.metadata?;
        let name = meta.name.filter(|n| !n.is_empty())?;
        let namespace = if namespaced {
            meta.namespace
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| self.default_namespace.clone())
        } else {
            String::new()
        };
        Some(ObjectRef {
            kind: kind.to_string(),
            namespace,
            name,
        })
    }

    /// Name and namespace of a decoded object, checked like the API server.
    fn identity(&self, kind: &str, meta: &ObjectMeta, namespaced: bool, issues: &mut Issues) -> ObjectRef {
        let name = match (&meta.name, &meta.generate_name) {
            (Some(name), _) if !name.is_empty() => {
                let valid = if kind == "Namespace" || kind == "Service" {
                    validate::is_dns_label(name)
                } else {
                    validate::is_dns_subdomain(name)
                };
                if !valid {
                    issues.push(Problem::new(
                        "invalid-name",
                        "metadata.name",
                        format!("invalid name {name:?}: must consist of lowercase alphanumerics, '-' (and '.' for most kinds), start and end with an alphanumeric"),
                    ));
                }
                name.clone()
            }
            (_, Some(prefix)) if !prefix.is_empty() => prefix.clone(),
            _ => {
                issues.push(Problem::new(
                    "invalid-object",
                    "metadata.name",
                    "Required value: name or generateName is required",
                ));
                String::new()
            }
        };
        let namespace = if namespaced {
            match meta.namespace.as_deref() {
                Some(ns) if !ns.is_empty() => {
                    if !validate::is_dns_label(ns) {
                        issues.push(Problem::new(
                            "invalid-name",
                            "metadata.namespace",
                            format!("invalid namespace {ns:?}: must be a lowercase DNS label"),
                        ));
                    }
                    ns.to_string()
                }
                _ => self.default_namespace.clone(),
            }
        } else {
            String::new()
        };
        ObjectRef {
            kind: kind.to_string(),
            namespace,
            name,
        }
    }

    /// Decodes `T`, reporting a failure against the object's name when it can be found.
    fn decode_or_report<T: serde::de::DeserializeOwned>(
        &mut self,
        ctx: &Ctx<'_>,
        source: Source<'_>,
        kind: &str,
        namespaced: bool,
    ) -> Option<T> {
        match decode(source) {
            Ok(value) => Some(value),
            Err(problem) => {
                let object = if problem.code == "yaml-syntax" {
                    None
                } else {
                    self.name_of(source, kind, namespaced)
                };
                self.report(ctx, object, problem, Severity::Error);
                None
            }
        }
    }

    /// Reports an object's issues; true when there were none (the object may be kept).
    fn check(&mut self, ctx: &Ctx<'_>, object: &ObjectRef, issues: Issues) -> bool {
        let ok = issues.is_empty();
        for problem in issues {
            self.report(ctx, Some(object.clone()), problem, Severity::Error);
        }
        ok
    }

    fn workload(&mut self, ctx: &Ctx<'_>, source: Source<'_>, kind: WorkloadKind) {
        let parts = match workloads::decode_parts(kind, source) {
            Ok(parts) => parts,
            Err(problem) => {
                let object = if problem.code == "yaml-syntax" {
                    None
                } else {
                    self.name_of(source, kind.as_str(), true)
                };
                return self.report(ctx, object, problem, Severity::Error);
            }
        };
        let mut issues = Issues::new();
        let object = self.identity(kind.as_str(), &parts.meta, true, &mut issues);
        let raw = workloads::build(kind, parts, &object.namespace, &object.name, ctx.origin(), &mut issues);
        if !self.check(ctx, &object, issues) {
            return;
        }
        if let Some(mut raw) = raw {
            raw.intern(&mut self.interner);
            self.define(ctx, object, Defined::Workload(raw));
        }
    }

    fn namespace(&mut self, ctx: &Ctx<'_>, source: Source<'_>) {
        let Some(ns) = self.decode_or_report::<core::Namespace>(ctx, source, "Namespace", false) else {
            return;
        };
        let mut issues = Issues::new();
        let object = self.identity("Namespace", &ns.metadata, false, &mut issues);
        validate::labels(ns.metadata.labels.as_ref(), "metadata.labels", &mut issues);
        if !self.check(ctx, &object, issues) {
            return;
        }
        let mut labels = ns.metadata.labels.unwrap_or_default();
        // The API server sets this label on every namespace, overriding what was written.
        labels.insert(model::NAMESPACE_NAME_LABEL.to_string(), object.name.clone());
        let namespace = model::Namespace {
            name: object.name.clone(),
            labels,
            origin: Some(ctx.origin()),
        };
        self.define(ctx, object, Defined::Namespace(namespace));
    }

    fn service(&mut self, ctx: &Ctx<'_>, source: Source<'_>) {
        let Some(service) = self.decode_or_report::<core::Service>(ctx, source, "Service", true) else {
            return;
        };
        let mut issues = Issues::new();
        let object = self.identity("Service", &service.metadata, true, &mut issues);
        validate::labels(service.metadata.labels.as_ref(), "metadata.labels", &mut issues);
        let selector = service.spec.and_then(|s| s.selector).filter(|s| !s.is_empty());
        validate::labels(selector.as_ref(), "spec.selector", &mut issues);
        if !self.check(ctx, &object, issues) {
            return;
        }
        let service = model::Service {
            namespace: object.namespace.clone(),
            name: object.name.clone(),
            selector,
            origin: ctx.origin(),
        };
        self.define(ctx, object, Defined::Service(service));
    }

    fn network_policy(&mut self, ctx: &Ctx<'_>, source: Source<'_>) {
        let Some(policy) = self.decode_or_report::<networking::NetworkPolicy>(ctx, source, "NetworkPolicy", true)
        else {
            return;
        };
        let mut issues = Issues::new();
        let object = self.identity("NetworkPolicy", &policy.metadata, true, &mut issues);
        validate::labels(policy.metadata.labels.as_ref(), "metadata.labels", &mut issues);
        let converted = network_policy::convert(&policy, &object.namespace, &object.name, ctx.origin(), &mut issues);
        if !self.check(ctx, &object, issues) {
            return;
        }
        if let Some(converted) = converted {
            self.define(ctx, object, Defined::Policy(converted));
        }
    }

    fn admin_policy(&mut self, ctx: &Ctx<'_>, source: Source<'_>, baseline: bool) {
        let kind = if baseline {
            "BaselineAdminNetworkPolicy"
        } else {
            "AdminNetworkPolicy"
        };
        let Some(raw) = self.decode_or_report::<admin_policy::RawAdminPolicy>(ctx, source, kind, false) else {
            return;
        };
        let mut issues = Issues::new();
        let mut warnings = Issues::new();
        let object = self.identity(kind, &raw.metadata, false, &mut issues);
        let converted = admin_policy::convert(&raw, &object.name, baseline, ctx.origin(), &mut issues, &mut warnings);
        for warning in warnings {
            self.report(ctx, Some(object.clone()), warning, Severity::Warning);
        }
        if !self.check(ctx, &object, issues) {
            return;
        }
        if let Some(converted) = converted {
            let value = if baseline {
                Defined::Baseline(converted)
            } else {
                Defined::Admin(converted)
            };
            self.define(ctx, object, value);
        }
    }

    /// Turns a problem into a located diagnostic.
    fn report(&mut self, ctx: &Ctx<'_>, object: Option<ObjectRef>, problem: Problem, severity: Severity) {
        let line = match problem.line {
            // serde's own position, when it read the document text itself.
            Some(line) if ctx.item.is_none() && line > 0 => ctx.doc.first_line + line - 1,
            _ => ctx.line(&problem.field),
        };
        let message = match (&object, problem.field.is_empty()) {
            (Some(object), false) => format!("{object}: {}: {}", problem.field, problem.message),
            (Some(object), true) => format!("{object}: {}", problem.message),
            (None, false) => format!("{}: {}", ctx.full_field(&problem.field), problem.message),
            (None, true) => match ctx.item {
                Some(i) => format!("items[{i}]: {}", problem.message),
                None => problem.message,
            },
        };
        let location = ctx.location(object, &problem.field, line);
        self.apply(Effect::Diagnostic(Diagnostic {
            code: problem.code.to_string(),
            severity,
            message,
            location,
        }));
    }

    fn finish(mut self) -> Model {
        let mut model = std::mem::take(&mut self.model);
        model.workloads = workloads::fold(self.workloads);
        let referenced = model
            .workloads
            .iter()
            .map(|w| &w.namespace)
            .chain(model.policies.iter().map(|p| &p.namespace))
            .chain(model.services.iter().map(|s| &s.namespace));
        let mut implicit: BTreeMap<String, model::Namespace> = BTreeMap::new();
        for name in referenced {
            if !model.namespaces.contains_key(name) && !implicit.contains_key(name) {
                implicit.insert(
                    name.clone(),
                    model::Namespace {
                        name: name.clone(),
                        labels: model::implicit_namespace_labels(name),
                        origin: None,
                    },
                );
            }
        }
        model.namespaces.extend(implicit);
        model
            .policies
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        model
            .services
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        self.admin_policies
            .sort_by(|a, b| (a.priority, &a.name).cmp(&(b.priority, &b.name)));
        model.admin_policies = self.admin_policies;
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(
            classify("apps/v1", "Deployment"),
            Class::Workload(WorkloadKind::Deployment)
        );
        assert_eq!(classify("v1", "List"), Class::List(None));
        assert_eq!(
            classify("v1", "PodList"),
            Class::List(Some(("v1".to_string(), "Pod".to_string())))
        );
        assert_eq!(classify("v1", "ConfigMapList"), Class::Other);
        assert_eq!(classify("extensions/v1beta1", "Deployment"), Class::Removed);
        assert_eq!(classify("batch/v1beta1", "CronJob"), Class::Removed);
        assert_eq!(classify("argoproj.io/v1alpha1", "Rollout"), Class::Other);
        assert_eq!(classify("route.openshift.io/v1", "Route"), Class::Other);
        assert_eq!(classify("v1", "List"), Class::List(None));
    }
}
