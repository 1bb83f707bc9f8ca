//! `--load PATH`: files or folders of (multi-document) YAML or JSON objects, stored with the
//! `status` they were recorded with. Objects that do not validate against their CRD are kept
//! with a warning (recorded objects are what they are); unknown kinds are skipped with one.
//! Objects labelled `sim.shipdeck.io/frozen=true` are never touched by the controllers.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::admit;
use super::crds::Catalog;
use super::schema;
use super::store::Store;

/// The label that keeps the simulated controllers' hands off an object.
pub const FROZEN_LABEL: &str = "sim.shipdeck.io/frozen";

#[derive(Debug, Default, Clone, PartialEq)]
pub struct LoadReport {
    pub loaded: usize,
    pub warnings: Vec<String>,
}

/// Every file under the paths (folders recursively; `.yaml`, `.yml`, `.json`), sorted.
pub fn files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        collect(p, &mut out).map_err(|e| format!("--load {}: {e}", p.display()))?;
    }
    Ok(out)
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                collect(&e, out)?;
            } else if e
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x, "yaml" | "yml" | "json"))
            {
                out.push(e);
            }
        }
        Ok(())
    } else if p.is_file() {
        out.push(p.to_path_buf());
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file or folder",
        ))
    }
}

/// The documents of one file (a `kind: List` is flattened).
pub fn documents(text: &str) -> Result<Vec<Value>, String> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for d in docs {
        if d.is_null() {
            continue;
        }
        if d.get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"))
            && let Some(items) = d.get("items").and_then(Value::as_array)
        {
            out.extend(items.iter().cloned());
        } else {
            out.push(d);
        }
    }
    Ok(out)
}

/// Loads the paths into the store.
pub fn load(
    store: &mut Store,
    catalog: &Catalog,
    paths: &[PathBuf],
    now: DateTime<Utc>,
) -> Result<LoadReport, String> {
    let mut report = LoadReport::default();
    let ns_def = catalog
        .find("", "v1", "namespaces")
        .ok_or("the catalog has no namespaces")?;
    for file in files(paths)? {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let docs = documents(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        for obj in docs {
            let api_version = obj
                .get("apiVersion")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let kind = obj
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let name = obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            // Recorded objects may carry retired API versions of kinds served today.
            let api_version = match (api_version.as_str(), kind.as_str()) {
                (
                    "extensions/v1beta1" | "apps/v1beta1" | "apps/v1beta2",
                    "ReplicaSet" | "Deployment",
                ) => "apps/v1".to_string(),
                _ => api_version,
            };
            let mut obj = obj;
            obj["apiVersion"] = Value::String(api_version.clone());
            let Some(def) = catalog.find_kind(&api_version, &kind) else {
                report.warnings.push(format!(
                    "{}: skipped {kind} {name} ({api_version}): the simulator does not serve this kind",
                    file.display()
                ));
                continue;
            };
            let ns = if def.namespaced {
                obj.pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("default")
                    .to_string()
            } else {
                String::new()
            };
            admit::ensure_namespace(store, ns_def, &ns, now);
            if def.custom
                && let Err(causes) = schema::validate(def, &obj)
            {
                report.warnings.push(format!(
                    "{}: {kind} {ns}/{name} does not validate against its CRD (kept as recorded): {}",
                    file.display(),
                    causes.join("; ")
                ));
            }
            match admit::create(store, def, &ns, obj, now, admit::Mode::Load) {
                Ok(_) => report.loaded += 1,
                Err(e) => report.warnings.push(format!(
                    "{}: {kind} {ns}/{name}: {}",
                    file.display(),
                    e.message
                )),
            }
        }
    }
    Ok(report)
}
