//! The built-in kinds the simulator serves, described as a real API server's discovery
//! describes them (names, scope, short names, categories, verbs, subresources).

use crate::sim::catalog::ResourceDef;
use crate::sim::table::builtin_columns;

/// The verbs of an ordinary built-in resource, in discovery order.
pub const STANDARD_VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// The verbs discovery lists for a CRD-backed resource, in the order a real server lists them.
pub const CUSTOM_VERBS: [&str; 8] = [
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "create",
    "update",
    "watch",
];

/// Namespaces cannot be deleted as a collection.
const NAMESPACE_VERBS: [&str; 7] = [
    "create", "delete", "get", "list", "patch", "update", "watch",
];

const CREATE_ONLY: [&str; 1] = ["create"];

/// One row of the built-in table below.
struct Builtin {
    group: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
    categories: &'static [&'static str],
    verbs: &'static [&'static str],
    status: bool,
    scale: bool,
}

const ALL: &[&str] = &["all"];

const BUILTINS: &[Builtin] = &[
    Builtin {
        group: "",
        plural: "namespaces",
        singular: "namespace",
        kind: "Namespace",
        namespaced: false,
        short: &["ns"],
        categories: &[],
        verbs: &NAMESPACE_VERBS,
        status: true,
        scale: false,
    },
    Builtin {
        group: "",
        plural: "pods",
        singular: "pod",
        kind: "Pod",
        namespaced: true,
        short: &["po"],
        categories: ALL,
        verbs: &STANDARD_VERBS,
        status: true,
        scale: false,
    },
    Builtin {
        group: "",
        plural: "services",
        singular: "service",
        kind: "Service",
        namespaced: true,
        short: &["svc"],
        categories: ALL,
        verbs: &STANDARD_VERBS,
        status: true,
        scale: false,
    },
    Builtin {
        group: "",
        plural: "configmaps",
        singular: "configmap",
        kind: "ConfigMap",
        namespaced: true,
        short: &["cm"],
        categories: &[],
        verbs: &STANDARD_VERBS,
        status: false,
        scale: false,
    },
    Builtin {
        group: "",
        plural: "events",
        singular: "event",
        kind: "Event",
        namespaced: true,
        short: &["ev"],
        categories: &[],
        verbs: &STANDARD_VERBS,
        status: false,
        scale: false,
    },
    Builtin {
        group: "apps",
        plural: "deployments",
        singular: "deployment",
        kind: "Deployment",
        namespaced: true,
        short: &["deploy"],
        categories: ALL,
        verbs: &STANDARD_VERBS,
        status: true,
        scale: true,
    },
    Builtin {
        group: "apps",
        plural: "replicasets",
        singular: "replicaset",
        kind: "ReplicaSet",
        namespaced: true,
        short: &["rs"],
        categories: ALL,
        verbs: &STANDARD_VERBS,
        status: true,
        scale: true,
    },
    Builtin {
        group: "events.k8s.io",
        plural: "events",
        singular: "event",
        kind: "Event",
        namespaced: true,
        short: &["ev"],
        categories: &[],
        verbs: &STANDARD_VERBS,
        status: false,
        scale: false,
    },
    Builtin {
        group: "authentication.k8s.io",
        plural: "selfsubjectreviews",
        singular: "selfsubjectreview",
        kind: "SelfSubjectReview",
        namespaced: false,
        short: &[],
        categories: &[],
        verbs: &CREATE_ONLY,
        status: false,
        scale: false,
    },
    Builtin {
        group: "authorization.k8s.io",
        plural: "selfsubjectaccessreviews",
        singular: "selfsubjectaccessreview",
        kind: "SelfSubjectAccessReview",
        namespaced: false,
        short: &[],
        categories: &[],
        verbs: &CREATE_ONLY,
        status: false,
        scale: false,
    },
];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

/// The built-in kinds, core group first.
pub fn builtin_defs() -> Vec<ResourceDef> {
    BUILTINS
        .iter()
        .map(|b| ResourceDef {
            group: b.group.to_string(),
            version: "v1".to_string(),
            plural: b.plural.to_string(),
            singular: b.singular.to_string(),
            kind: b.kind.to_string(),
            list_kind: format!("{}List", b.kind),
            namespaced: b.namespaced,
            short_names: strings(b.short),
            categories: strings(b.categories),
            verbs: strings(b.verbs),
            status_subresource: b.status,
            scale_subresource: b.scale,
            printer_columns: builtin_columns(b.plural),
            schema: None,
            custom: false,
        })
        .collect()
}
