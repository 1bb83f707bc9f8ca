//! Creating an AnalysisRun from AnalysisTemplates / ClusterAnalysisTemplates: the resolved
//! args, the flattened metrics, the name, labels and annotations the real controller gives it.

use serde_json::{Map, Value, json};

use super::analysis::completed;
use super::sets::rs_hash;
use super::spec::{self, REVISION, ROLLOUT_AV, annotation, text};
use super::{Halt, Pass, Recon};
use crate::sim::world::ctx::{meta, owned_by, owner_ref};

impl Recon<'_, '_> {
    /// The value of an analysis arg given by the Rollout.
    fn arg_value(&self, arg: &Value) -> String {
        let from = arg.get("valueFrom");
        if let Some(h) = from
            .and_then(|f| f.get("podTemplateHashValue"))
            .and_then(Value::as_str)
        {
            let rs = if h == "Stable" {
                self.stable_rs()
            } else {
                self.new_rs()
            };
            return rs.map(|r| rs_hash(r).to_string()).unwrap_or_default();
        }
        if let Some(path) = from
            .and_then(|f| f.pointer("/fieldRef/fieldPath"))
            .and_then(Value::as_str)
        {
            return field_path(&self.ro, path);
        }
        text(arg, "/value").to_string()
    }

    /// Creates the run (`<rollout>-<hash>-<revision>[-<infix>]`, `.1`, `.2`... when the name
    /// is taken by a finished or different run).
    pub fn create_run(
        &mut self,
        analysis: &Value,
        infix: &str,
        mut labels: Map<String, Value>,
    ) -> Result<Value, Halt> {
        let ns = self.ns();
        let hash = self
            .new_rs()
            .map(|r| rs_hash(r).to_string())
            .unwrap_or_default();
        let rev = annotation(&self.ro, REVISION).unwrap_or("").to_string();
        let mut base = format!("{}-{hash}-{rev}", self.name());
        if !infix.is_empty() {
            base = format!("{base}-{infix}");
        }
        let refs = analysis
            .get("templates")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let (mut ns_templates, mut cluster_templates) = (Vec::new(), Vec::new());
        self.resolve_templates(&refs, &mut ns_templates, &mut cluster_templates, 0)?;
        let given: Vec<(String, String)> = analysis
            .get("args")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|x| (text(x, "/name").to_string(), self.arg_value(x)))
                    .collect()
            })
            .unwrap_or_default();
        let run_spec =
            flatten(&ns_templates, &cluster_templates, &given, analysis).map_err(|e| {
                tracing::warn!(rollout = %self.name(), error = %e, "cannot create AnalysisRun");
                Halt
            })?;
        let meta_of =
            |k: &str| spec::string_map(analysis.pointer(&format!("/analysisRunMetadata/{k}")));
        labels.extend(meta_of("labels"));
        labels.extend(spec::string_map(
            self.ro.pointer("/spec/selector/matchLabels"),
        ));
        let mut anns = Map::new();
        anns.insert(REVISION.into(), json!(rev));
        anns.extend(meta_of("annotations"));
        let mut name = base.clone();
        for n in 1.. {
            let Some(existing) = self.ctx.get(ROLLOUT_AV, "AnalysisRun", &ns, &name) else {
                break;
            };
            if !completed(&existing)
                && existing.get("spec") == Some(&run_spec)
                && owned_by(&existing, &self.ro)
            {
                return Ok(existing);
            }
            name = format!("{base}.{n}");
        }
        let ar = json!({
            "apiVersion": ROLLOUT_AV,
            "kind": "AnalysisRun",
            "metadata": {
                "name": name,
                "namespace": ns,
                "labels": labels,
                "annotations": anns,
                "ownerReferences": [owner_ref(&self.ro)],
            },
            "spec": run_spec,
        });
        let created = self.ctx.create(ar).map_err(|_| Halt)?;
        self.ars.push(created.clone());
        Ok(created)
    }

    fn resolve_templates(
        &self,
        refs: &[Value],
        ns_out: &mut Vec<Value>,
        cluster_out: &mut Vec<Value>,
        depth: usize,
    ) -> Pass {
        if depth > 8 {
            return Err(Halt);
        }
        let ns = self.ns();
        for r in refs {
            let name = text(r, "/templateName");
            let cluster = r.get("clusterScope").and_then(Value::as_bool) == Some(true);
            let t = if cluster {
                self.ctx
                    .get(ROLLOUT_AV, "ClusterAnalysisTemplate", "", name)
            } else {
                self.ctx.get(ROLLOUT_AV, "AnalysisTemplate", &ns, name)
            }
            .ok_or(Halt)?;
            let nested = t
                .pointer("/spec/templates")
                .and_then(Value::as_array)
                .cloned();
            let out = if cluster {
                &mut *cluster_out
            } else {
                &mut *ns_out
            };
            if !out.iter().any(|x| meta(x, "name") == meta(&t, "name")) {
                out.push(t);
            }
            if let Some(nested) = nested {
                self.resolve_templates(&nested, ns_out, cluster_out, depth + 1)?;
            }
        }
        Ok(())
    }
}

/// The run's spec from the templates: their metrics (namespaced first), their args with the
/// Rollout's values, dryRun and measurementRetention.
pub fn flatten(
    ns_t: &[Value],
    cluster_t: &[Value],
    given: &[(String, String)],
    analysis: &Value,
) -> Result<Value, String> {
    let all: Vec<&Value> = ns_t.iter().chain(cluster_t.iter()).collect();
    let list = |t: &Value, k: &str| {
        t.pointer(&format!("/spec/{k}"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut metrics: Vec<Value> = Vec::new();
    for t in &all {
        for m in list(t, "metrics") {
            if metrics.iter().any(|x| x.get("name") == m.get("name")) {
                return Err(format!(
                    "two metrics have the same name '{}'",
                    text(&m, "/name")
                ));
            }
            metrics.push(m);
        }
    }
    let mut args: Vec<Value> = Vec::new();
    for t in &all {
        for a in list(t, "args") {
            match args.iter_mut().find(|x| x.get("name") == a.get("name")) {
                Some(prev) => {
                    let (p, n) = (prev.get("value"), a.get("value"));
                    if let (Some(p), Some(n)) = (p, n)
                        && p != n
                    {
                        return Err(format!(
                            "Argument `{}` specified multiple times with different values: '{}', '{}'",
                            text(&a, "/name"),
                            p.as_str().unwrap_or(""),
                            n.as_str().unwrap_or("")
                        ));
                    }
                    if p.is_none() {
                        *prev = a;
                    }
                }
                None => args.push(a),
            }
        }
    }
    for (name, value) in given {
        if let Some(a) = args.iter_mut().find(|x| text(x, "/name") == name) {
            a["value"] = json!(value);
        }
    }
    if let Some(a) = args
        .iter()
        .find(|a| a.get("value").is_none() && a.get("valueFrom").is_none())
    {
        return Err(format!("args.{} was not resolved", text(a, "/name")));
    }
    let mut spec = json!({"metrics": metrics});
    if !args.is_empty() {
        spec["args"] = Value::Array(args);
    }
    for k in ["dryRun", "measurementRetention"] {
        let mut items: Vec<Value> = all.iter().flat_map(|t| list(t, k)).collect();
        for x in analysis
            .get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
        {
            if !items
                .iter()
                .any(|i| i.get("metricName") == x.get("metricName"))
            {
                items.push(x);
            }
        }
        if !items.is_empty() {
            spec[k] = Value::Array(items);
        }
    }
    Ok(spec)
}

/// A field of the Rollout by a downward-API-like path (`metadata.name`,
/// `metadata.labels['app']`, `spec.replicas`).
pub fn field_path(ro: &Value, path: &str) -> String {
    if let Some(rest) = path.strip_prefix("metadata.") {
        for kind in ["labels", "annotations"] {
            if let Some(key) = rest
                .strip_prefix(kind)
                .and_then(|k| k.strip_prefix("['").or_else(|| k.strip_prefix("[\"")))
                .and_then(|k| k.strip_suffix("']").or_else(|| k.strip_suffix("\"]")))
            {
                return ro
                    .pointer(&format!("/metadata/{kind}"))
                    .and_then(|m| m.get(key))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
            }
        }
    }
    let mut cur = ro;
    for part in path.split(['.', '[', ']']).filter(|p| !p.is_empty()) {
        let next = match cur {
            Value::Array(a) => part.parse::<usize>().ok().and_then(|i| a.get(i)),
            Value::Object(m) => m.get(part),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return String::new(),
        }
    }
    match cur {
        Value::String(s) => s.clone(),
        Value::Null | Value::Array(_) | Value::Object(_) => String::new(),
        other => other.to_string(),
    }
}
