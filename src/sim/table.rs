//! `meta.k8s.io/v1` Tables for `kubectl get`, as a real API server builds them for CRD kinds
//! (`additionalPrinterColumns`) and built-in kinds (its printers). All columns are computed;
//! kubectl hides those with `priority > 0` unless `-o wide`.
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::catalog::{PrinterColumn, ResourceDef};
use super::events::event_cell;

/// `ObjectMeta.name` documentation, the description real servers give every Name column.
pub const NAME_DESCRIPTION: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
/// `ObjectMeta.creationTimestamp` documentation, the description of Age columns.
pub const CREATION_DESCRIPTION: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// The built-in printers' columns per kind (`*`: any other), `*` marking wide (priority 1) and
/// `#` integer ones; cells come from `builtin:name`, `builtin:age`, `builtin:<plural>.<header>`.
const BUILTIN_COLUMNS: &str = "\
*: Name; Age
namespaces: Name; Status; Age
pods: Name; Ready; Status; Restarts; Age; IP*; Node*; Nominated Node*; Readiness Gates*
services: Name; Type; Cluster-IP; External-IP; Port(s); Age; Selector*
configmaps: Name; Data; Age
events: Last Seen; Type; Reason; Object; Subobject*; Source*; Message; First Seen*; Count*; Name*
deployments: Name; Ready; Up-to-date; Available; Age; Containers*; Images*; Selector*
replicasets: Name; Desired#; Current#; Ready#; Age; Containers*; Images*; Selector*
";

/// What each row's `object` holds (`?includeObject=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    None,
    Metadata,
    Object,
}

impl IncludeObject {
    /// `None`, `Metadata` (also the default, for absent or unknown values) or `Object`.
    pub fn from_query(v: Option<&str>) -> Self {
        match v {
            Some("None") => Self::None,
            Some("Object") => Self::Object,
            _ => Self::Metadata,
        }
    }
}

/// The Table for `objects` (one row each) of kind `def`.
pub fn table(
    def: &ResourceDef,
    objects: &[Value],
    include: IncludeObject,
    rv: &str,
    now: DateTime<Utc>,
) -> Value {
    let columns = columns_for(def);
    let row = |obj: &Value| {
        let cell = |c: &PrinterColumn| match c.json_path.strip_prefix("builtin:") {
            Some(key) => builtin_cell(key, obj, now),
            None => crd_cell(&c.type_, eval_json_path(obj, &c.json_path), now),
        };
        let cells: Vec<Value> = columns.iter().map(cell).collect();
        let meta = json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata").cloned().unwrap_or_else(|| json!({}))});
        let object = match include {
            IncludeObject::None => Value::Null,
            IncludeObject::Metadata => meta,
            IncludeObject::Object => obj.clone(),
        };
        let mut row = json!({"cells": cells, "object": object});
        let done = match s(&obj["status"]["phase"]) {
            "Succeeded" => "has completed successfully.",
            "Failed" => "failed.",
            _ => "",
        };
        if !def.custom && def.plural == "pods" && !done.is_empty() {
            row["conditions"] = json!([{"type": "Completed", "status": "True",
                "reason": obj["status"]["phase"], "message": format!("The pod {done}")}]);
        }
        row
    };
    let defs = columns.iter().map(|c| {
        json!({"name": c.name, "type": c.type_, "format": c.format,
               "description": c.description, "priority": c.priority})
    });
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv},
        "columnDefinitions": defs.collect::<Vec<_>>(),
        "rows": objects.iter().map(row).collect::<Vec<_>>()})
}

/// CRDs: Name, then the printer columns (Age without any); built-ins: the printer's columns.
fn columns_for(def: &ResourceDef) -> Vec<PrinterColumn> {
    match (def.custom, def.printer_columns.is_empty()) {
        (false, true) => return builtin_columns(&def.plural),
        (false, false) => return def.printer_columns.clone(),
        _ => {}
    }
    let mut cols = builtin_columns("*");
    (cols[1].type_, cols[1].json_path) = ("date".into(), ".metadata.creationTimestamp".into());
    cols.truncate(if def.printer_columns.is_empty() { 2 } else { 1 });
    for mut c in def.printer_columns.iter().cloned() {
        if c.description.is_empty() {
            let what = "Custom resource definition column (in JSONPath format)";
            c.description = format!("{what}: {}", c.json_path);
        }
        cols.push(c);
    }
    cols
}

/// The real server's printer columns of a built-in kind (Name and Age for unknown kinds).
pub fn builtin_columns(plural: &str) -> Vec<PrinterColumn> {
    let spec = |p: &str| BUILTIN_COLUMNS.lines().find_map(|l| l.strip_prefix(p));
    let cols = spec(&format!("{plural}: ")).or_else(|| spec("*: "));
    let column = |header: &str| {
        let (wide, int) = (header.ends_with('*'), header.ends_with('#'));
        let header = header.trim().trim_end_matches(['*', '#']);
        let slug = header.to_lowercase().replace(' ', "");
        let (key, doc) = match header {
            "Name" => (slug, NAME_DESCRIPTION),
            "Age" => (slug, CREATION_DESCRIPTION),
            _ => (format!("{plural}.{slug}"), ""),
        };
        PrinterColumn {
            name: header.into(),
            type_: if int { "integer" } else { "string" }.into(),
            format: if key == "name" { "name" } else { "" }.into(),
            description: doc.into(),
            priority: i64::from(wide),
            json_path: format!("builtin:{key}"),
        }
    };
    cols.unwrap_or_default().split(';').map(column).collect()
}

/// A CRD column's cell as the CRD table convertor renders it: `null` when the path finds
/// nothing or the value does not fit the column type; dates become ages; string columns
/// print any value (`fmt.Print` style, JSON for objects and arrays).
fn crd_cell(ty: &str, v: Option<Value>, now: DateTime<Utc>) -> Value {
    let Some(v) = v else { return Value::Null };
    let float = v.as_f64().filter(|_| v.is_f64());
    // Go writes integral float64s without a fraction.
    let whole = float.filter(|f| f.fract() == 0.0 && f.abs() < 1e15);
    match (ty, &v) {
        ("string", Value::Null) => "<no value>".into(),
        ("string", Value::String(s)) => s.as_str().into(),
        // Go prints floats of 1e6 and more (and below 1e-4) as `1.5e+07`; not modelled.
        ("string", Value::Number(_)) => float.map_or(v.to_string(), |f| f.to_string()).into(),
        ("string", Value::Array(_) | Value::Object(_)) => go_json(&v).into(),
        ("string", _) => v.to_string().into(),
        ("integer", Value::Number(_)) => v.as_i64().or(float.map(|f| f as i64)).into(),
        ("number", Value::Number(_)) => whole.map_or(v.clone(), |f| (f as i64).into()),
        ("boolean", Value::Bool(_)) => v.clone(),
        ("date", Value::String(s)) => match DateTime::parse_from_rfc3339(s) {
            _ if s.is_empty() || s == "null" => "<unknown>".into(),
            Ok(t) => human_duration(now - t.with_timezone(&Utc)).into(),
            Err(_) => "<invalid>".into(),
        },
        _ => Value::Null,
    }
}

/// JSON as Go writes it: compact, keys sorted (as serde_json's map is), `<>&` escaped.
fn go_json(v: &Value) -> String {
    let s = v.to_string().replace('<', "\\u003c");
    s.replace('>', "\\u003e").replace('&', "\\u0026")
}

/// The JSONPath subset of printer columns (`.a.b`, `.a[0].b`, `.a['k.x']`, `{}` tolerated);
/// `None` when missing (a `null` leaf is `Some(Value::Null)`).
pub fn eval_json_path(obj: &Value, path: &str) -> Option<Value> {
    let p = path
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim();
    let (mut rest, mut cur) = (p.strip_prefix('$').unwrap_or(p), obj);
    while !rest.is_empty() && !cur.is_null() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = r.get(..end).filter(|k| !k.is_empty())?;
            (cur, rest) = (cur.as_object()?.get(key)?, &r[end..]);
            continue;
        }
        let (inner, after) = rest.strip_prefix('[')?.split_once(']')?;
        let unquote = |q: char| inner.trim().strip_prefix(q)?.strip_suffix(q);
        if let Some(key) = unquote('\'').or_else(|| unquote('"')) {
            cur = cur.as_object()?.get(key)?;
        } else {
            let (arr, idx) = (cur.as_array()?, inner.trim().parse::<i64>().ok()?);
            let idx = if idx < 0 { arr.len() as i64 + idx } else { idx };
            cur = arr.get(usize::try_from(idx).ok()?)?;
        }
        rest = after;
    }
    rest.is_empty().then(|| cur.clone())
}

pub use crate::domain::human::human_duration;

// Printer helpers: accessors giving "", 0, [] or None for absent or mistyped values; `or`
// (a, or b when a is empty); `pairs` (`k=v` of a string map, sorted as serde_json's map is).
pub(super) fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}
pub(super) fn n(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}
fn list(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}
pub(super) fn time(v: &Value) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(s(v)).ok()?.with_timezone(&Utc))
}
pub(super) fn or<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.is_empty() { b } else { a }
}
fn or_none(v: &str) -> String {
    or(v, "<none>").to_string()
}
fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(",")
}
/// The age of `t` (`<unknown>` without one), as the real printers write it.
pub(super) fn since(t: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    t.map_or_else(|| "<unknown>".into(), |t| human_duration(now - t))
}
fn pairs(map: &Value) -> impl Iterator<Item = (&str, String)> {
    let map = map.as_object().into_iter().flatten();
    map.map(|(k, v)| (k.as_str(), format!("{k}={}", s(v))))
}

/// The cell of built-in column `key` (the part after `builtin:`).
fn builtin_cell(key: &str, o: &Value, now: DateTime<Utc>) -> Value {
    let (spec, status) = (&o["spec"], &o["status"]);
    let containers = list(&spec["template"]["spec"]["containers"]).iter();
    let names = |f: &str| join(containers.clone().map(|c| s(&c[f])));
    let replicas = spec["replicas"].as_i64().unwrap_or(1);
    let count = |v: &Value| v.as_object().map_or(0, Map::len);
    let sel = selector(&spec["selector"]);
    let gates = list(&spec["readinessGates"]);
    let gate = |g: &&Value| condition_true(o, s(&g["conditionType"]));
    match key {
        _ if key.starts_with("services.") => service_cell(&key[9..], o).into(),
        _ if key.starts_with("events.") => event_cell(&key[7..], o, now),
        "name" => s(&o["metadata"]["name"]).into(),
        "age" => since(time(&o["metadata"]["creationTimestamp"]), now).into(),
        "namespaces.status" => or(s(&status["phase"]), "Active").into(),
        "pods.ready" | "pods.status" | "pods.restarts" => pod_summary(&key[5..], o, now).into(),
        "pods.ip" => or_none(or(s(&status["podIPs"][0]["ip"]), s(&status["podIP"]))).into(),
        "pods.node" => or_none(s(&spec["nodeName"])).into(),
        "pods.nominatednode" => or_none(s(&status["nominatedNodeName"])).into(),
        "pods.readinessgates" if gates.is_empty() => "<none>".into(),
        "pods.readinessgates" => {
            format!("{}/{}", gates.iter().filter(gate).count(), gates.len()).into()
        }
        "configmaps.data" => (count(&o["data"]) + count(&o["binaryData"])).into(),
        "deployments.containers" | "replicasets.containers" => names("name").into(),
        "deployments.images" | "replicasets.images" => names("image").into(),
        "deployments.ready" => format!("{}/{replicas}", n(&status["readyReplicas"])).into(),
        "deployments.up-to-date" => n(&status["updatedReplicas"]).into(),
        "deployments.available" => n(&status["availableReplicas"]).into(),
        "deployments.selector" => sel.unwrap_or("<invalid>".into()).into(),
        "replicasets.desired" => replicas.into(),
        "replicasets.current" => n(&status["replicas"]).into(),
        "replicasets.ready" => n(&status["readyReplicas"]).into(),
        "replicasets.selector" => sel.map_or("<error>".into(), |l| or_none(&l)).into(),
        _ => Value::Null,
    }
}

fn service_cell(what: &str, o: &Value) -> String {
    let (spec, ty) = (&o["spec"], or(s(&o["spec"]["type"]), "ClusterIP"));
    let external: Vec<&str> = list(&spec["externalIPs"]).iter().map(s).collect();
    let ingress = list(&o["status"]["loadBalancer"]["ingress"]).iter();
    let lb = ingress.map(|i| or(s(&i["ip"]), s(&i["hostname"])));
    let lb: std::collections::BTreeSet<&str> = lb.filter(|a| !a.is_empty()).collect();
    let port = |p: &Value| {
        let (port, proto) = (n(&p["port"]), or(s(&p["protocol"]), "TCP"));
        match n(&p["nodePort"]) {
            0 => format!("{port}/{proto}"),
            node => format!("{port}:{node}/{proto}"),
        }
    };
    let ports: Vec<String> = list(&spec["ports"]).iter().map(port).collect();
    let selector: Vec<String> = pairs(&spec["selector"]).map(|p| p.1).collect();
    match (what, ty) {
        ("type", _) => ty.into(),
        ("cluster-ip", _) => or_none(or(s(&spec["clusterIPs"][0]), s(&spec["clusterIP"]))),
        ("external-ip", "ClusterIP" | "NodePort") => or_none(&external.join(",")),
        ("external-ip", "LoadBalancer") if lb.len() + external.len() == 0 => "<pending>".into(),
        ("external-ip", "LoadBalancer") => join(lb.into_iter().chain(external)),
        ("external-ip", "ExternalName") => s(&spec["externalName"]).into(),
        ("external-ip", _) => "<unknown>".into(),
        ("port(s)", _) => or_none(&ports.join(",")),
        _ => or_none(&selector.join(",")),
    }
}

/// A `metav1.LabelSelector` rendered like `labels.Selector.String()`; `None` when invalid.
fn selector(sel: &Value) -> Option<String> {
    let mut reqs: Vec<(&str, String)> = pairs(&sel["matchLabels"]).collect();
    for e in list(&sel["matchExpressions"]) {
        let key = s(&e["key"]);
        let mut vals: Vec<&str> = list(&e["values"]).iter().map(s).collect();
        vals.sort_unstable();
        let req = match s(&e["operator"]) {
            "In" => format!("{key} in ({})", vals.join(",")),
            "NotIn" => format!("{key} notin ({})", vals.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            _ => return None,
        };
        reqs.push((key, req));
    }
    reqs.sort_by_key(|r| r.0);
    Some(join(reqs.iter().map(|r| r.1.as_str())))
}

fn condition_true(pod: &Value, ty: &str) -> bool {
    let conditions = list(&pod["status"]["conditions"]);
    let first = conditions.iter().find(|c| c["type"] == ty);
    first.is_some_and(|c| c["status"] == "True")
}

/// A pod's `ready`, `status` or `restarts` as the real printer computes them from the app
/// containers (init containers only show as `Init:<done>/<all>` until the pod is initialised).
fn pod_summary(what: &str, pod: &Value, now: DateTime<Utc>) -> String {
    let (spec, status) = (&pod["spec"], &pod["status"]);
    let phase = s(&status["phase"]);
    let mut reason = or(s(&status["reason"]), phase).to_string();
    let init = list(&status["initContainerStatuses"]);
    let done = |c: &&Value| c["state"]["terminated"]["exitCode"] == 0;
    let initializing = init.iter().any(|c| !done(&c)) && !condition_true(pod, "Initialized");
    let statuses = list(&status["containerStatuses"]);
    let (mut ready, mut has_running) = (0, false);
    // The first app container with a waiting or terminated state decides.
    for c in statuses.iter().rev().filter(|_| !initializing) {
        let term = &c["state"]["terminated"];
        let waiting = s(&c["state"]["waiting"]["reason"]);
        if !waiting.is_empty() {
            reason = waiting.into();
        } else if term.is_object() {
            reason = match (s(&term["reason"]), n(&term["signal"])) {
                ("", 0) => format!("ExitCode:{}", n(&term["exitCode"])),
                ("", signal) => format!("Signal:{signal}"),
                (r, _) => r.into(),
            };
        } else if c["ready"] == true && c["state"]["running"].is_object() {
            (has_running, ready) = (true, ready + 1);
        }
    }
    if initializing {
        let all = list(&spec["initContainers"]).len();
        reason = format!("Init:{}/{all}", init.iter().filter(done).count());
    } else if reason == "Completed" && has_running {
        let ready_cond = condition_true(pod, "Ready");
        reason = if ready_cond { "Running" } else { "NotReady" }.into();
    }
    let terminal = matches!(phase, "Succeeded" | "Failed");
    if !pod["metadata"]["deletionTimestamp"].is_null() && !terminal {
        reason = "Terminating".into();
    }
    let counted = if initializing { init } else { statuses };
    let restarts: i64 = counted.iter().map(|c| n(&c["restartCount"])).sum();
    let finished = |c: &Value| time(&c["lastState"]["terminated"]["finishedAt"]);
    match (what, counted.iter().filter_map(finished).max()) {
        ("ready", _) => format!("{ready}/{}", list(&spec["containers"]).len()),
        ("status", _) => reason,
        (_, Some(t)) if restarts != 0 => format!("{restarts} ({} ago)", human_duration(now - t)),
        _ => restarts.to_string(),
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
