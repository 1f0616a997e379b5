//! Shared state of one lint run: the inputs, the few indices several checks need, and the
//! sink findings go to (which turns objects and field paths into [`Location`]s).

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};

use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::compile::{Compiled, CompiledRule};
use crate::engine::Reachability;
use crate::model::{Direction, Model};
use crate::options::Options;
use crate::parse;
use crate::source::{Location, ObjectRef, Origin, SourceFile};

/// Per-workload findings of one code listed individually per namespace; the rest of that
/// namespace is summarised in one finding, so a default-deny namespace of 2,000 workloads
/// yields 21 findings rather than 2,000 identical ones.
pub const MAX_WORKLOAD_FINDINGS_PER_NAMESPACE: usize = 20;

/// Per-workload findings of one code in one namespace: how many were listed, and the
/// first of those left out of the list.
struct WorkloadGroup {
    listed: usize,
    omitted: usize,
    first_omitted: Option<usize>,
    severity: Severity,
    /// What the workloads of the summary have in common ("use the host network").
    summary: &'static str,
}

pub(crate) struct Context<'a> {
    pub model: &'a Model,
    pub analysis: &'a Analysis,
    pub options: &'a Options,
    findings: Vec<Diagnostic>,
    /// Per-workload findings by (code, namespace), for the cap.
    workload_groups: BTreeMap<(&'static str, &'a str), WorkloadGroup>,
    namespace_index: HashMap<&'a str, usize>,
    /// Workloads subject to `NetworkPolicy` (not host-network), per namespace index.
    workloads_per_namespace: Vec<usize>,
    /// Ids of compiled `NetworkPolicy` rules, by policy and direction (ingress, egress).
    rule_ids: Vec<[Vec<usize>; 2]>,
    locator: Locator<'a>,
}

/// Calls [`parse::locate`] on just the object's document.
///
/// `locate` splits the whole file on every call, which is quadratic when one large file
/// (a `kubectl get -o yaml` dump, a rendered chart) yields many findings. The lines where
/// the model's objects start bound each document: the text from an object's line up to the
/// next object's line is its document plus, at most, documents of unmodelled kinds. Handed
/// that slice, `locate` returns the same line while reading a few hundred bytes. List items
/// (whose line is inside a shared document) use the plain call.
struct Locator<'a> {
    files: &'a [SourceFile],
    by_path: HashMap<&'a str, usize>,
    /// Per file: sorted first lines of the objects read from it.
    object_lines: Vec<Vec<usize>>,
    /// Per file: byte offset of each line's start, computed on first use.
    line_starts: Vec<OnceCell<Vec<usize>>>,
}

impl<'a> Locator<'a> {
    fn new(model: &Model, files: &'a [SourceFile]) -> Self {
        let by_path: HashMap<&str, usize> = files.iter().enumerate().map(|(i, f)| (f.path.as_str(), i)).collect();
        let mut object_lines = vec![Vec::new(); files.len()];
        let origins = model
            .workloads
            .iter()
            .map(|w| &w.origin)
            .chain(model.policies.iter().map(|p| &p.origin))
            .chain(model.namespaces.values().filter_map(|n| n.origin.as_ref()))
            .chain(model.services.iter().map(|s| &s.origin))
            .chain(
                model
                    .admin_policies
                    .iter()
                    .chain(&model.baseline_policy)
                    .map(|a| &a.origin),
            );
        for origin in origins {
            if let Some(&file) = by_path.get(&*origin.path) {
                object_lines[file].push(origin.line);
            }
        }
        for lines in &mut object_lines {
            lines.sort_unstable();
            lines.dedup();
        }
        Locator {
            files,
            by_path,
            object_lines,
            line_starts: (0..files.len()).map(|_| OnceCell::new()).collect(),
        }
    }

    fn locate(&self, origin: &Origin, field: &str) -> usize {
        let Some(&file) = self.by_path.get(&*origin.path) else {
            return origin.line;
        };
        if origin.item.is_some() || origin.line == 0 {
            return parse::locate(self.files, origin, field);
        }
        let text = &self.files[file].text;
        let starts = self.line_starts[file].get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
                .collect()
        });
        let Some(&begin) = starts.get(origin.line - 1) else {
            return parse::locate(self.files, origin, field);
        };
        let lines = &self.object_lines[file];
        let next = lines[lines.partition_point(|&l| l <= origin.line)..].first();
        let end = next.and_then(|&l| starts.get(l - 1)).copied().unwrap_or(text.len());
        let slice = [SourceFile::new(origin.path.to_string(), &text[begin..end])];
        let at = Origin {
            path: origin.path.clone(),
            document: 0,
            line: 1,
            item: None,
        };
        origin.line + parse::locate(&slice, &at, field) - 1
    }
}

fn direction_slot(direction: Direction) -> usize {
    match direction {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

impl<'a> Context<'a> {
    pub fn new(model: &'a Model, analysis: &'a Analysis, files: &'a [SourceFile], options: &'a Options) -> Self {
        let classes = &analysis.reach.classes;
        let namespace_index = classes
            .namespaces
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let mut workloads_per_namespace = vec![0; classes.namespaces.len()];
        for (c, class) in classes.classes.iter().enumerate() {
            if !class.host_network {
                workloads_per_namespace[class.namespace] += classes.members(c).len();
            }
        }
        let mut rule_ids = vec![[Vec::new(), Vec::new()]; model.policies.len()];
        for (id, rule) in analysis.reach.compiled.rules.iter().enumerate() {
            let slot = &mut rule_ids[rule.policy][direction_slot(rule.direction)];
            debug_assert_eq!(slot.len(), rule.index, "compiled rules are in rule order");
            slot.push(id);
        }
        Context {
            model,
            analysis,
            options,
            findings: Vec::new(),
            workload_groups: BTreeMap::new(),
            namespace_index,
            workloads_per_namespace,
            rule_ids,
            locator: Locator::new(model, files),
        }
    }

    /// The line of `field` in the object from `origin` (see [`parse::locate`]).
    pub fn locate(&self, origin: &Origin, field: &str) -> usize {
        self.locator.locate(origin, field)
    }

    pub fn reach(&self) -> &'a Reachability {
        &self.analysis.reach
    }

    pub fn compiled(&self) -> &'a Compiled {
        &self.analysis.reach.compiled
    }

    /// Index of a namespace in the engine's class table.
    pub fn namespace_index(&self, name: &str) -> Option<usize> {
        self.namespace_index.get(name).copied()
    }

    /// Workloads in a namespace that `NetworkPolicy` applies to (host-network ones excluded).
    pub fn policy_workloads_in(&self, namespace: usize) -> usize {
        self.workloads_per_namespace[namespace]
    }

    /// The compiled form of rule `index` of `policy` in `direction`.
    pub fn compiled_rule(&self, policy: usize, direction: Direction, index: usize) -> &'a CompiledRule {
        let compiled = self.compiled();
        &compiled.rules[self.rule_ids[policy][direction_slot(direction)][index]]
    }

    fn location(&self, origin: &Origin, object: ObjectRef, field: Option<String>) -> Location {
        let line = match &field {
            Some(field) => self.locate(origin, field),
            None => origin.line,
        };
        Location {
            path: origin.path.to_string(),
            document: origin.document,
            line,
            object: Some(object),
            field,
        }
    }

    /// Records a finding about `NetworkPolicy` `policy` (index into `Model::policies`).
    pub fn policy_finding(
        &mut self,
        policy: usize,
        field: Option<String>,
        code: &'static str,
        severity: Severity,
        message: String,
    ) {
        let policy = &self.model.policies[policy];
        let location = self.location(&policy.origin, policy.object_ref(), field);
        self.push(code, severity, message, location);
    }

    /// Whether a finding with `code` about `workload` (index into `Model::workloads`) is
    /// listed on its own: true for the first [`MAX_WORKLOAD_FINDINGS_PER_NAMESPACE`] of a
    /// namespace, after which the rest are only counted for one summary finding (`summary`
    /// says what they have in common). Checks call this before building a message and then
    /// [`Context::workload_finding`]. Workloads are visited in model order, which is id
    /// order, so the listed ones are the first by id.
    pub fn list_workload(
        &mut self,
        workload: usize,
        code: &'static str,
        severity: Severity,
        summary: &'static str,
    ) -> bool {
        let namespace = &*self.model.workloads[workload].namespace;
        let group = self.workload_groups.entry((code, namespace)).or_insert(WorkloadGroup {
            listed: 0,
            omitted: 0,
            first_omitted: None,
            severity,
            summary,
        });
        if group.listed < MAX_WORKLOAD_FINDINGS_PER_NAMESPACE {
            group.listed += 1;
            return true;
        }
        group.omitted += 1;
        group.first_omitted.get_or_insert(workload);
        false
    }

    /// Records a finding about a workload that [`Context::list_workload`] said to list.
    pub fn workload_finding(
        &mut self,
        workload: usize,
        field: Option<String>,
        code: &'static str,
        severity: Severity,
        message: String,
    ) {
        let workload = &self.model.workloads[workload];
        let location = self.location(&workload.origin, workload.object_ref(), field);
        self.push(code, severity, message, location);
    }

    /// Records a finding with a ready-made location.
    pub fn push(&mut self, code: &'static str, severity: Severity, message: String, location: Location) {
        self.findings.push(Diagnostic {
            code: code.to_string(),
            severity,
            message,
            location,
        });
    }

    /// All findings, plus one summary per namespace and code where workloads were left out.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        let groups = std::mem::take(&mut self.workload_groups);
        for ((code, namespace), group) in groups {
            let Some(first) = group.first_omitted else {
                continue;
            };
            let origin = self
                .model
                .namespaces
                .get(namespace)
                .and_then(|ns| ns.origin.as_ref())
                .unwrap_or(&self.model.workloads[first].origin);
            let object = ObjectRef {
                kind: "Namespace".to_string(),
                namespace: String::new(),
                name: namespace.to_string(),
            };
            let location = self.location(origin, object, None);
            let message = format!(
                "{} more workloads in namespace {namespace} {} (not listed one by one)",
                group.omitted, group.summary
            );
            self.push(code, group.severity, message, location);
        }
        self.findings
    }
}

/// `spec.ingress[2]`
pub(crate) fn rule_field(direction: Direction, rule: usize) -> String {
    format!("spec.{}[{rule}]", direction.field())
}

/// `spec.ingress[2].from[1]`
pub(crate) fn peer_field(direction: Direction, rule: usize, peer: usize) -> String {
    format!("spec.{}[{rule}].{}[{peer}]", direction.field(), direction.peers_field())
}

/// `ingress rule 2` / `egress rule 0`, as messages name a rule.
pub(crate) fn rule_name(direction: Direction, rule: usize) -> String {
    format!("{} rule {rule}", direction.field())
}
