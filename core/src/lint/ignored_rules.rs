//! `rules-ignored-by-policy-types` (warning): rules written for a direction that the
//! policy's explicit `policyTypes` leaves out.
//!
//! Kubernetes enforces only the directions listed in `policyTypes`; `egress:` rules of a
//! policy with `policyTypes: [Ingress]` are accepted and then silently ignored. Either the
//! list is missing a type (and the author believes egress is restricted when it is not) or
//! the rules are dead. The parser counts such rules (`ignored_*_rules`); the model keeps
//! only the rules in effect.

use crate::diagnostic::Severity;
use crate::model::Direction;

use super::context::Context;

pub const CODE: &str = "rules-ignored-by-policy-types";

pub(crate) fn check(cx: &mut Context) {
    let model = cx.model;
    for (p, policy) in model.policies.iter().enumerate() {
        let listed: Vec<&str> = [Direction::Ingress, Direction::Egress]
            .into_iter()
            .filter(|&d| policy.rules(d).is_some())
            .map(Direction::as_str)
            .collect();
        for (direction, ignored) in [
            (Direction::Ingress, policy.ignored_ingress_rules),
            (Direction::Egress, policy.ignored_egress_rules),
        ] {
            if ignored == 0 {
                continue;
            }
            let rules = if ignored == 1 { "rule is" } else { "rules are" };
            let message = format!(
                "policyTypes [{}] leaves out {}, so its {ignored} {} {rules} ignored by Kubernetes: add {} to policyTypes or remove the rules",
                listed.join(", "),
                direction.as_str(),
                direction.field(),
                direction.as_str(),
            );
            cx.policy_finding(
                p,
                Some(format!("spec.{}", direction.field())),
                CODE,
                Severity::Warning,
                message,
            );
        }
    }
}
