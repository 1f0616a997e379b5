//! Reading one document into [`Effect`]s: sniff its kind, decode and validate its objects.
//!
//! Reading depends only on the document and the options, never on what other documents
//! held (that is `assemble`'s job), so documents can be read in any order and on any
//! thread, and a document both sides of a diff share is read once (see `effects`).

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::networking::v1 as networking;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;

use super::admin_policy;
use super::decode::{decode, Problem, Source};
use super::documents::{self, Document, Format};
use super::effects::{identity_key, Defined, Effect, Example, Spot};
use super::item_field;
use super::kinds::{self, Sniffed};
use super::locate;
use super::network_policy;
use super::validate::{self, Issues};
use super::workloads;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{self, WorkloadKind};
use crate::source::{Location, ObjectRef, Origin, SourceFile};

/// Reads one document of `file` (for a JSON file: the whole file) into its effects.
pub(super) fn read<'a>(
    default_namespace: &str,
    file: &'a SourceFile,
    path: &std::sync::Arc<str>,
    doc: &Document<'a>,
) -> Vec<Effect<'a>> {
    let mut reader = Reader {
        default_namespace,
        effects: Vec::new(),
    };
    if doc.format == Format::Json {
        reader.json_file(file, path, doc);
    } else {
        reader.document(file, path, doc, kinds::sniff(doc));
    }
    reader.effects
}

/// The namespace objects without one are in.
pub(super) fn default_namespace(options: &crate::Options) -> &str {
    if options.namespace.is_empty() {
        "default"
    } else {
        &options.namespace
    }
}

/// The `kind/namespace/name` of an object that could not be fully read (best effort).
pub(super) fn name_of(source: Source<'_>, kind: &str, namespaced: bool, default_namespace: &str) -> Option<ObjectRef> {
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
            .unwrap_or_else(|| default_namespace.to_string())
    } else {
        String::new()
    };
    Some(ObjectRef {
        kind: kind.to_string(),
        namespace,
        name,
    })
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

/// Where an object is: its file, document and (for list items) item index.
#[derive(Clone, Copy)]
struct Ctx<'c, 'a> {
    file: &'c SourceFile,
    /// The file's path, shared by the origins of all its objects.
    path: &'c std::sync::Arc<str>,
    doc: &'c Document<'a>,
    item: Option<usize>,
}

impl Ctx<'_, '_> {
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

struct Reader<'o, 'a> {
    default_namespace: &'o str,
    effects: Vec<Effect<'a>>,
}

impl<'a> Reader<'_, 'a> {
    /// A file that starts like JSON: one JSON document, or else perhaps flow-style YAML.
    fn json_file(&mut self, file: &'a SourceFile, path: &std::sync::Arc<str>, doc: &Document<'a>) {
        match kinds::sniff(doc) {
            Err(json_problem) if json_problem.code == "yaml-syntax" => {
                let yaml_docs = documents::split_yaml(&file.text);
                let sniffed: Vec<_> = yaml_docs.iter().map(kinds::sniff).collect();
                if sniffed.iter().all(Result::is_err) {
                    self.document(file, path, doc, Err(json_problem));
                } else {
                    for (yaml_doc, result) in yaml_docs.iter().zip(sniffed) {
                        self.document(file, path, yaml_doc, result);
                    }
                }
            }
            result => self.document(file, path, doc, result),
        }
    }

    fn document(
        &mut self,
        file: &SourceFile,
        path: &std::sync::Arc<str>,
        doc: &Document<'a>,
        sniffed: Result<Sniffed, Problem>,
    ) {
        let ctx = Ctx {
            file,
            path,
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

    fn not_kubernetes(&mut self, ctx: &Ctx<'_, 'a>, what: &str) {
        let message = format!("not a Kubernetes object: expected a mapping with `apiVersion` and `kind`, found {what}");
        self.report(ctx, None, Problem::new("not-kubernetes", "", message), Severity::Error);
    }

    fn no_kind(&mut self, ctx: &Ctx<'_, 'a>) {
        let message = "not a Kubernetes object: no `kind`";
        self.report(ctx, None, Problem::new("not-kubernetes", "", message), Severity::Error);
    }

    fn object(&mut self, ctx: &Ctx<'_, 'a>, source: Source<'_>, api_version: Option<&str>, kind: &str) {
        let Some(api_version) = api_version.filter(|a| !a.is_empty()) else {
            let object = name_of(source, kind, true, self.default_namespace);
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
                let object = name_of(source, kind, true, self.default_namespace);
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

    fn list(&mut self, ctx: &Ctx<'_, 'a>, doc: &Document<'_>, item_type: Option<&(String, String)>) {
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
    fn skip(&mut self, ctx: &Ctx<'_, 'a>, source: Source<'_>, api_version: &str, kind: &str) {
        let key = format!("{api_version}/{kind}");
        let location = ctx.location(None, "", ctx.line(""));
        let example = match source {
            Source::Document(_) => Example::Unnamed {
                location,
                document: *ctx.doc,
                kind: kind.to_string(),
            },
            Source::Value(_) => Example::Named(Location {
                object: name_of(source, kind, true, self.default_namespace),
                ..location
            }),
        };
        self.effects.push(Effect::Skipped { key, example });
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
                _ => self.default_namespace.to_string(),
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
        ctx: &Ctx<'_, 'a>,
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
                    name_of(source, kind, namespaced, self.default_namespace)
                };
                self.report(ctx, object, problem, Severity::Error);
                None
            }
        }
    }

    /// Reports an object's issues; true when there were none (the object may be kept).
    fn check(&mut self, ctx: &Ctx<'_, 'a>, object: &ObjectRef, issues: Issues) -> bool {
        let ok = issues.is_empty();
        for problem in issues {
            self.report(ctx, Some(object.clone()), problem, Severity::Error);
        }
        ok
    }

    fn workload(&mut self, ctx: &Ctx<'_, 'a>, source: Source<'_>, kind: WorkloadKind) {
        let parts = match workloads::decode_parts(kind, source) {
            Ok(parts) => parts,
            Err(problem) => {
                let object = if problem.code == "yaml-syntax" {
                    None
                } else {
                    name_of(source, kind.as_str(), true, self.default_namespace)
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
        if let Some(raw) = raw {
            self.define(ctx, &object, Defined::Workload(raw));
        }
    }

    fn namespace(&mut self, ctx: &Ctx<'_, 'a>, source: Source<'_>) {
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
        self.define(ctx, &object, Defined::Namespace(namespace));
    }

    fn service(&mut self, ctx: &Ctx<'_, 'a>, source: Source<'_>) {
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
        self.define(ctx, &object, Defined::Service(service));
    }

    fn network_policy(&mut self, ctx: &Ctx<'_, 'a>, source: Source<'_>) {
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
            self.define(ctx, &object, Defined::Policy(converted));
        }
    }

    fn admin_policy(&mut self, ctx: &Ctx<'_, 'a>, source: Source<'_>, baseline: bool) {
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
            self.define(ctx, &object, value);
        }
    }

    /// Turns a problem into a located diagnostic.
    fn report(&mut self, ctx: &Ctx<'_, 'a>, object: Option<ObjectRef>, problem: Problem, severity: Severity) {
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
        self.effects.push(Effect::Diagnostic(Diagnostic {
            code: problem.code.to_string(),
            severity,
            message,
            location,
        }));
    }

    /// Keeps a valid object, unless it is a duplicate (reported).
    fn define(&mut self, ctx: &Ctx<'_, 'a>, object: &ObjectRef, value: Defined) {
        let identity = value.identity();
        debug_assert_eq!(identity, (&*object.kind, &*object.namespace, &*object.name));
        let key = identity_key(identity);
        let full = ctx.full_field("");
        let at = Spot {
            document: ctx.doc.index,
            line: ctx.line(""),
            field: (!full.is_empty()).then_some(full),
        };
        self.effects.push(Effect::Defined { key, at, value });
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
