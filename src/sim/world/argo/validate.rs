//! The controller's own validation of a Rollout (what makes it InvalidSpec): the first error,
//! worded as the real field errors are.

use serde_json::Value;

use super::analysis_create::flatten;
use super::spec::{self, ROLLOUT_AV, canary, text};
use crate::sim::world::ctx::Ctx;

fn required(field: &str, msg: &str) -> String {
    format!("{field}: Required value: {msg}")
}

fn invalid(field: &str, value: &str, msg: &str) -> String {
    format!("{field}: Invalid value: {value}: {msg}")
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

/// Go's `%#v` of a `map[string]string`.
fn go_map(m: &serde_json::Map<String, Value>) -> String {
    let parts: Vec<String> = m
        .iter()
        .map(|(k, v)| format!("{k:?}:{:?}", v.as_str().unwrap_or("")))
        .collect();
    format!("map[string]string{{{}}}", parts.join(", "))
}

/// Ok, or the first validation error (`field: Invalid value: ...: message`).
pub fn check(ctx: &Ctx<'_>, ro: &Value) -> Result<(), String> {
    check_spec(ro)?;
    check_references(ctx, ro)
}

fn check_spec(ro: &Value) -> Result<(), String> {
    let selector = ro.pointer("/spec/selector").filter(|s| s.is_object());
    let Some(selector) = selector else {
        return Err(required(
            "spec.selector",
            "Rollout has missing field '.spec.selector'",
        ));
    };
    let match_labels = spec::string_map(selector.get("matchLabels"));
    let labels = spec::string_map(ro.pointer("/spec/template/metadata/labels"));
    if match_labels.iter().any(|(k, v)| labels.get(k) != Some(v)) {
        return Err(invalid(
            "spec.template.metadata.labels",
            &go_map(&labels),
            "`selector` does not match template `labels`",
        ));
    }
    let (c, bg) = (canary(ro), spec::blue_green(ro));
    if c.is_none() && bg.is_none() {
        return Err(required(
            "spec.strategy",
            "Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'",
        ));
    }
    if let Some(bg) = bg {
        let (active, preview) = (text(bg, "/activeService"), text(bg, "/previewService"));
        if active == preview {
            return Err(invalid(
                "spec.strategy.blueGreen.activeService",
                &quoted(active),
                "This rollout uses the same service for the active and preview services, but two different services are required.",
            ));
        }
    }
    let Some(c) = c else { return Ok(()) };
    let (stable, canary_svc) = (text(c, "/stableService"), text(c, "/canaryService"));
    if !stable.is_empty() && stable == canary_svc {
        return Err(invalid(
            "spec.strategy.canary.stableService",
            &quoted(stable),
            "This rollout uses the same service for the stable and canary services, but two different services are required.",
        ));
    }
    let tr = spec::traffic_routing(ro);
    if !tr && c.get("scaleDownDelaySeconds").is_some_and(|v| !v.is_null()) {
        let v = spec::int(c.get("scaleDownDelaySeconds")).unwrap_or(0);
        return Err(invalid(
            "spec.strategy.canary.scaleDownDelaySeconds",
            &v.to_string(),
            "Canary scaleDownDelaySeconds can only be used with traffic routing",
        ));
    }
    let max = spec::max_weight(ro);
    for (i, step) in spec::steps(ro).iter().enumerate() {
        let path = format!("spec.strategy.canary.steps[{i}]");
        if let Some(w) = spec::int(step.get("setWeight"))
            && !(0..=max).contains(&w)
        {
            return Err(invalid(
                &format!("{path}.setWeight"),
                &w.to_string(),
                &format!("SetWeight needs to be between 0 and {max}"),
            ));
        }
        if let Some(d) = step.pointer("/pause/duration").filter(|d| !d.is_null()) {
            let secs = spec::duration_secs(d).unwrap_or(-1);
            if secs < 0 {
                return Err(invalid(
                    &format!("{path}.pause.duration"),
                    &secs.to_string(),
                    "Duration needs to be greater than 0",
                ));
            }
        }
        if step.get("setCanaryScale").is_some() && !tr {
            return Err(required(
                "spec.strategy.canary.trafficRouting",
                "SetCanaryScale requires TrafficRouting to be set",
            ));
        }
    }
    Ok(())
}

fn check_references(ctx: &Ctx<'_>, ro: &Value) -> Result<(), String> {
    let ns = text(ro, "/metadata/namespace");
    let services: Vec<(&str, &str)> = match (spec::blue_green(ro), canary(ro)) {
        (Some(bg), _) => vec![
            (
                "spec.strategy.blueGreen.activeService",
                text(bg, "/activeService"),
            ),
            (
                "spec.strategy.blueGreen.previewService",
                text(bg, "/previewService"),
            ),
        ],
        (_, Some(c)) => vec![
            (
                "spec.strategy.canary.stableService",
                text(c, "/stableService"),
            ),
            (
                "spec.strategy.canary.canaryService",
                text(c, "/canaryService"),
            ),
        ],
        _ => Vec::new(),
    };
    for (field, name) in services {
        if !name.is_empty() && ctx.get("v1", "Service", ns, name).is_none() {
            return Err(invalid(
                field,
                &quoted(name),
                &format!("service {name:?} not found"),
            ));
        }
    }
    let Some(c) = canary(ro) else { return Ok(()) };
    let mut analyses: Vec<(String, &Value)> = spec::steps(ro)
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let path = format!("spec.strategy.canary.steps[{i}].analysis.templates");
            s.get("analysis").map(|a| (path, a))
        })
        .collect();
    if let Some(a) = c.get("analysis").filter(|a| a.is_object()) {
        analyses.push(("spec.strategy.canary.analysis.templates".to_string(), a));
    }
    for (path, analysis) in analyses {
        let refs = analysis
            .get("templates")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let (mut nst, mut cst) = (Vec::new(), Vec::new());
        for r in refs {
            let name = text(r, "/templateName");
            let cluster = r.get("clusterScope").and_then(Value::as_bool) == Some(true);
            let (found, kind) = if cluster {
                let t = ctx.get(ROLLOUT_AV, "ClusterAnalysisTemplate", "", name);
                (
                    t.inspect(|t| cst.push(t.clone())).is_some(),
                    "ClusterAnalysisTemplate",
                )
            } else {
                let t = ctx.get(ROLLOUT_AV, "AnalysisTemplate", ns, name);
                (
                    t.inspect(|t| nst.push(t.clone())).is_some(),
                    "AnalysisTemplate",
                )
            };
            if !found {
                return Err(invalid(
                    &path,
                    &quoted(name),
                    &format!("{kind} '{name}' not found"),
                ));
            }
        }
        let given: Vec<(String, String)> = analysis
            .get("args")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|x| (text(x, "/name").to_string(), "dummy".to_string()))
                    .collect()
            })
            .unwrap_or_default();
        if let Err(e) = flatten(&nst, &cst, &given, analysis) {
            let names: Vec<&str> = nst
                .iter()
                .chain(cst.iter())
                .map(|t| text(t, "/metadata/name"))
                .collect();
            let value = format!("templateNames: [{}]", names.join(" "));
            return Err(invalid(&path, &quoted(&value), &e));
        }
    }
    Ok(())
}
