//! Legacy (unaggregated) discovery documents: `/version`, `/api`, `/apis`, `/api/v1` and
//! `/apis/{group}/{version}`, as a Kubernetes 1.37 API server serves them. kubectl falls back
//! to these when aggregated discovery is not offered, and takes short names, categories,
//! verbs and scope from them.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::catalog::ResourceDef;
use super::crds::Catalog;

/// The server's Kubernetes version.
pub const MAJOR: &str = "1";
pub const MINOR: &str = "37";
pub const GIT_VERSION: &str = "v1.37.0+shipdeck-sim";

/// The address `/api` advertises when the caller does not know the real one.
const DEFAULT_SERVER_ADDRESS: &str = "127.0.0.1:6443";

/// `GET /version`.
pub fn version_info() -> Value {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    json!({
        "major": MAJOR,
        "minor": MINOR,
        "emulationMajor": MAJOR,
        "emulationMinor": MINOR,
        "minCompatibilityMajor": MAJOR,
        "minCompatibilityMinor": "36",
        "gitVersion": GIT_VERSION,
        "gitCommit": "5d1c4e0b9a7f3e2d8c6b4a29180f7e6d5c4b3a21",
        "gitTreeState": "clean",
        "buildDate": "2026-08-19T12:00:00Z",
        "goVersion": "go1.26.4",
        "compiler": "gc",
        "platform": format!("{}/{arch}", std::env::consts::OS),
    })
}

/// `GET /api`.
pub fn core_api_versions() -> Value {
    core_api_versions_at(DEFAULT_SERVER_ADDRESS)
}

/// `GET /api`, advertising `server_address` (`host:port`) for every client.
pub fn core_api_versions_at(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

/// Where a built-in group sorts in `/apis` (higher first, as the aggregator orders groups by
/// priority); CRD groups come after all of them, by name.
fn group_priority(group: &str) -> u32 {
    match group {
        "apps" => 17800,
        "events.k8s.io" => 17750,
        "authentication.k8s.io" => 17700,
        "authorization.k8s.io" => 17600,
        "autoscaling" => 17500,
        "batch" => 17400,
        "policy" => 17100,
        _ => 1000,
    }
}

/// Kubernetes version order, best first: GA before beta before alpha, higher numbers first,
/// anything not shaped like `v1beta2` last, by name.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    fn key(v: &str) -> Option<(u32, u64, u64)> {
        let rest = v.strip_prefix('v')?;
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let major: u64 = rest[..digits].parse().ok()?;
        let tail = &rest[digits..];
        if tail.is_empty() {
            return Some((3, major, 0));
        }
        let (stage, num) = if let Some(n) = tail.strip_prefix("beta") {
            (2, n)
        } else {
            (1, tail.strip_prefix("alpha")?)
        };
        Some((stage, major, num.parse().ok()?))
    }
    match (key(a), key(b)) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Each named group with its versions, best version first, groups in `/apis` order.
pub fn groups(c: &Catalog) -> Vec<(String, Vec<String>)> {
    let mut by_group: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for d in c.defs().iter().filter(|d| !d.group.is_empty()) {
        let versions = by_group.entry(d.group.as_str()).or_default();
        if !versions.contains(&d.version.as_str()) {
            versions.push(d.version.as_str());
        }
    }
    let mut out: Vec<(String, Vec<String>)> = by_group
        .into_iter()
        .map(|(g, mut vs)| {
            vs.sort_by(|a, b| compare_versions(a, b));
            (g.to_string(), vs.into_iter().map(str::to_string).collect())
        })
        .collect();
    out.sort_by(|(a, _), (b, _)| {
        group_priority(b)
            .cmp(&group_priority(a))
            .then_with(|| a.cmp(b))
    });
    out
}

fn group_version(group: &str, version: &str) -> Value {
    json!({"groupVersion": format!("{group}/{version}"), "version": version})
}

/// `GET /apis`: every named group with its versions and preferred version.
pub fn api_group_list(c: &Catalog) -> Value {
    let groups: Vec<Value> = groups(c)
        .into_iter()
        .map(|(g, versions)| {
            let preferred = versions
                .first()
                .map(|v| group_version(&g, v))
                .unwrap_or(Value::Null);
            json!({
                "name": g,
                "versions": versions.iter().map(|v| group_version(&g, v)).collect::<Vec<_>>(),
                "preferredVersion": preferred,
            })
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// A stable stand-in for the storage version hash (8 bytes, base64, like the real ones).
fn storage_version_hash(d: &ResourceDef) -> String {
    // FNV-1a over group/version/kind.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{}/{}/{}", d.group, d.version, d.kind).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    base64::engine::general_purpose::STANDARD.encode(h.to_be_bytes())
}

fn strings(items: &[&str]) -> Value {
    Value::from(items.iter().map(|s| Value::from(*s)).collect::<Vec<_>>())
}

/// The discovery entries of one kind: the resource, then its subresources.
fn resource_entries(d: &ResourceDef) -> Vec<Value> {
    let mut main = Map::new();
    main.insert("name".into(), json!(d.plural));
    main.insert("singularName".into(), json!(d.singular));
    main.insert("namespaced".into(), json!(d.namespaced));
    main.insert("kind".into(), json!(d.kind));
    main.insert("verbs".into(), json!(d.verbs));
    if !d.short_names.is_empty() {
        main.insert("shortNames".into(), json!(d.short_names));
    }
    if !d.categories.is_empty() {
        main.insert("categories".into(), json!(d.categories));
    }
    main.insert("storageVersionHash".into(), json!(storage_version_hash(d)));
    let sub = |name: &str, kind: &str, verbs: &[&str]| {
        json!({
            "name": format!("{}/{name}", d.plural),
            "singularName": "",
            "namespaced": d.namespaced,
            "kind": kind,
            "verbs": strings(verbs),
        })
    };
    let mut out = vec![Value::Object(main)];
    if d.status_subresource {
        out.push(sub("status", &d.kind, &["get", "patch", "update"]));
    }
    if d.scale_subresource {
        let mut scale = sub("scale", "Scale", &["get", "patch", "update"]);
        scale["group"] = json!("autoscaling");
        scale["version"] = json!("v1");
        out.push(scale);
    }
    if !d.custom && d.group.is_empty() && d.plural == "services" {
        out.push(sub(
            "proxy",
            "ServiceProxyOptions",
            &["create", "delete", "get", "patch", "update"],
        ));
    }
    out
}

/// `GET /api/v1` (group "") and `GET /apis/{group}/{version}`: the resources served at that
/// group version, subresources as `plural/sub` entries, sorted by name. None when nothing is
/// served there.
pub fn api_resource_list(c: &Catalog, group: &str, version: &str) -> Option<Value> {
    let mut resources: Vec<Value> = c
        .defs()
        .iter()
        .filter(|d| d.group == group && d.version == version)
        .flat_map(resource_entries)
        .collect();
    if resources.is_empty() {
        return None;
    }
    resources.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    // The core list carries no apiVersion; named groups' lists do.
    Some(if group.is_empty() {
        json!({"kind": "APIResourceList", "groupVersion": version, "resources": resources})
    } else {
        json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": format!("{group}/{version}"),
            "resources": resources,
        })
    })
}

#[cfg(test)]
#[path = "discovery_tests.rs"]
mod tests;
