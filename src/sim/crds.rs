//! The catalog of served kinds: the built-in ones and every served version of the embedded
//! CustomResourceDefinitions (`sim-data/crds/`), parsed once per process.

use std::sync::OnceLock;

use serde_json::Value;

use super::catalog::{PrinterColumn, ResourceDef};

#[path = "builtin.rs"]
mod builtin;

pub use builtin::{CUSTOM_VERBS, STANDARD_VERBS};

/// The embedded CRD files (file name, YAML text; a file may hold several documents).
const CRD_FILES: &[(&str, &str)] = &[
    (
        "rollout-crd.yaml",
        include_str!("../../sim-data/crds/rollout-crd.yaml"),
    ),
    (
        "analysis-run-crd.yaml",
        include_str!("../../sim-data/crds/analysis-run-crd.yaml"),
    ),
    (
        "analysis-template-crd.yaml",
        include_str!("../../sim-data/crds/analysis-template-crd.yaml"),
    ),
    (
        "cluster-analysis-template-crd.yaml",
        include_str!("../../sim-data/crds/cluster-analysis-template-crd.yaml"),
    ),
    (
        "experiment-crd.yaml",
        include_str!("../../sim-data/crds/experiment-crd.yaml"),
    ),
    (
        "flagger-crd.yaml",
        include_str!("../../sim-data/crds/flagger-crd.yaml"),
    ),
    (
        "core.openfeature.dev_featureflags.yaml",
        include_str!("../../sim-data/crds/core.openfeature.dev_featureflags.yaml"),
    ),
];

/// Every kind the simulator serves.
#[derive(Debug)]
pub struct Catalog {
    defs: Vec<ResourceDef>,
}

impl Catalog {
    /// Built-in kinds plus every served version of the embedded CRDs, parsed once per process.
    pub fn get() -> &'static Catalog {
        static C: OnceLock<Catalog> = OnceLock::new();
        C.get_or_init(Catalog::build)
    }

    /// Builds a fresh catalog (parses the embedded CRDs again; prefer [`Catalog::get`]).
    /// A CRD file that fails to parse is logged and skipped.
    pub fn build() -> Catalog {
        let mut defs = builtin::builtin_defs();
        for (file, text) in CRD_FILES {
            match serde_saphyr::from_multiple::<Value>(text) {
                Ok(docs) => defs.extend(docs.iter().flat_map(defs_from_crd)),
                Err(e) => tracing::error!(file = %file, error = %e, "embedded CRD does not parse"),
            }
        }
        Catalog { defs }
    }

    pub fn defs(&self) -> &[ResourceDef] {
        &self.defs
    }

    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceDef> {
        self.defs
            .iter()
            .find(|d| d.group == group && d.version == version && d.plural == plural)
    }

    pub fn find_kind(&self, api_version: &str, kind: &str) -> Option<&ResourceDef> {
        self.defs
            .iter()
            .find(|d| d.api_version() == api_version && d.kind == kind)
    }

    /// Resolves a name as kubectl accepts it on the command line: a plural, singular, short
    /// name or kind (case-insensitive), optionally qualified with its group (`ro.argoproj.io`,
    /// `deployments.apps`). The first match in catalog order wins (core group first).
    pub fn resolve(&self, name: &str) -> Option<&ResourceDef> {
        let name = name.to_ascii_lowercase();
        let matches = |d: &ResourceDef, n: &str| {
            d.plural == n
                || d.singular == n
                || d.kind.eq_ignore_ascii_case(n)
                || d.short_names.iter().any(|s| s == n)
        };
        self.defs.iter().find(|d| matches(d, &name)).or_else(|| {
            let (res, group) = name.split_once('.')?;
            self.defs
                .iter()
                .find(|d| d.group == group && matches(d, res))
        })
    }

    /// The kinds in a category (`all`), in catalog order.
    pub fn category(&self, category: &str) -> Vec<&ResourceDef> {
        self.defs
            .iter()
            .filter(|d| d.categories.iter().any(|c| c == category))
            .collect()
    }
}

fn str_at<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path).and_then(Value::as_str).unwrap_or_default()
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The ResourceDefs of one CustomResourceDefinition document: one per served version. Not a
/// CRD, or a CRD without group or names: none.
pub fn defs_from_crd(crd: &Value) -> Vec<ResourceDef> {
    if crd.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
        return Vec::new();
    }
    let group = str_at(crd, "/spec/group");
    let kind = str_at(crd, "/spec/names/kind");
    let plural = str_at(crd, "/spec/names/plural");
    if group.is_empty() || kind.is_empty() || plural.is_empty() {
        return Vec::new();
    }
    let singular = match str_at(crd, "/spec/names/singular") {
        "" => kind.to_ascii_lowercase(),
        s => s.to_string(),
    };
    let list_kind = match str_at(crd, "/spec/names/listKind") {
        "" => format!("{kind}List"),
        s => s.to_string(),
    };
    let namespaced = str_at(crd, "/spec/scope") != "Cluster";
    let versions = crd.pointer("/spec/versions").and_then(Value::as_array);
    versions
        .into_iter()
        .flatten()
        .filter(|v| v.get("served").and_then(Value::as_bool).unwrap_or(false))
        .map(|v| ResourceDef {
            group: group.to_string(),
            version: str_at(v, "/name").to_string(),
            plural: plural.to_string(),
            singular: singular.clone(),
            kind: kind.to_string(),
            list_kind: list_kind.clone(),
            namespaced,
            short_names: string_list(crd.pointer("/spec/names/shortNames")),
            categories: string_list(crd.pointer("/spec/names/categories")),
            verbs: CUSTOM_VERBS.iter().map(|s| (*s).to_string()).collect(),
            status_subresource: v
                .pointer("/subresources/status")
                .is_some_and(Value::is_object),
            scale_subresource: v
                .pointer("/subresources/scale")
                .is_some_and(Value::is_object),
            printer_columns: printer_columns(v.get("additionalPrinterColumns")),
            schema: v.pointer("/schema/openAPIV3Schema").cloned(),
            custom: true,
        })
        .collect()
}

/// A version's `additionalPrinterColumns`; a version without any gets the single Age column a
/// real server serves for it.
fn printer_columns(cols: Option<&Value>) -> Vec<PrinterColumn> {
    let cols: Vec<PrinterColumn> = cols
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| PrinterColumn {
            name: str_at(c, "/name").to_string(),
            type_: str_at(c, "/type").to_string(),
            format: str_at(c, "/format").to_string(),
            description: str_at(c, "/description").to_string(),
            priority: c.get("priority").and_then(Value::as_i64).unwrap_or(0),
            json_path: str_at(c, "/jsonPath").to_string(),
        })
        .collect();
    if !cols.is_empty() {
        return cols;
    }
    vec![PrinterColumn {
        name: "Age".to_string(),
        type_: "date".to_string(),
        format: String::new(),
        description: "When the object was created (metadata.creationTimestamp), in RFC 3339 UTC."
            .to_string(),
        priority: 0,
        json_path: ".metadata.creationTimestamp".to_string(),
    }]
}

#[cfg(test)]
#[path = "crds_tests.rs"]
mod tests;
