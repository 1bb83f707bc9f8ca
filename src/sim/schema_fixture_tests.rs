//! Every fixture of a custom kind from `tests/fixtures` (copies of `../shared/fixtures`) validates; mutated ones fail.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::*;

/// The in-repo fixture copies (always present in a checkout).
fn fixtures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    assert!(dir.is_dir(), "fixtures missing at {}", dir.display());
    Some(dir)
}

fn docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_multiple::<Value>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

fn def_of(obj: &Value) -> Option<&'static ResourceDef> {
    let c = Catalog::get();
    c.find_kind(obj["apiVersion"].as_str()?, obj["kind"].as_str()?)
        .filter(|d| d.custom)
}

#[test]
fn mutated_fixtures_fail() {
    let Some(root) = fixtures() else { return };
    let mut ro = docs(&root.join("argo-rollouts/examples/rollout-canary.yaml")).remove(0);
    assert_eq!(validate(rollout(), &ro), Ok(()));
    ro["spec"]["replicas"] = json!("5");
    ro["spec"]["template"]["spec"]["containers"][0]
        .as_object_mut()
        .map(|m| m.remove("name"));
    let mut errs = errors(rollout(), &ro);
    errs.sort();
    assert_eq!(
        errs,
        [
            r#"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
            "spec.template.spec.containers[0].name: Required value",
        ]
    );
    let canary_def = def("flagger.app", "v1beta1", "canaries");
    let mut can = docs(&root.join("flagger/examples/istio-canary.yaml")).remove(0);
    assert_eq!(validate(canary_def, &can), Ok(()));
    can["spec"]["targetRef"]["kind"] = json!("Pod");
    can["spec"]["service"]["port"] = json!("eighty");
    let mut errs = errors(canary_def, &can);
    errs.sort();
    assert_eq!(
        errs,
        [
            r#"spec.service.port: Invalid value: "string": spec.service.port in body must be of type number: "string""#,
            r#"spec.targetRef.kind: Unsupported value: "Pod": supported values: "DaemonSet", "Deployment", "Service""#,
        ]
    );
    let at = def("argoproj.io", "v1alpha1", "analysistemplates");
    let mut tpl = docs(&root.join("argo-rollouts/examples/analysis-templates.yaml")).remove(0);
    assert_eq!(validate(at, &tpl), Ok(()));
    tpl["spec"]["metrics"][0]
        .as_object_mut()
        .map(|m| m.remove("provider"));
    assert_eq!(
        errors(at, &tpl),
        ["spec.metrics[0].provider: Required value"]
    );
}

/// Fixture names a real server rejects.
const UPPERCASE_NAMES: [&str; 2] = ["canary-demo-workloadRef", "canary-demo-workloadRef-deploy"];

#[test]
fn every_fixture_of_a_custom_kind_validates() {
    let Some(root) = fixtures() else { return };
    let mut files = Vec::new();
    for sub in [
        "argo-rollouts/examples",
        "argo-rollouts/info-testdata",
        "flagger/examples",
    ] {
        yaml_files(&root.join(sub), &mut files);
    }
    files.push(root.join("openfeature/open-feature-operator/core_v1beta1_featureflag.yaml"));
    let (mut checked, mut failures) = (Vec::new(), Vec::new());
    for f in &files {
        for obj in docs(f) {
            let Some(d) = def_of(&obj) else { continue };
            checked.push(d.kind.clone());
            let name = obj["metadata"]["name"].as_str().unwrap_or_default();
            match validate(d, &obj) {
                // Argo's unit-test data uses two names with capitals, which a real server
                // refuses (custom object names must be DNS-1123 subdomains); nothing else.
                Err(e) if UPPERCASE_NAMES.contains(&name) => {
                    assert_eq!(e.len(), 1, "{e:?}");
                    assert!(e[0].starts_with(&format!(
                        "metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123"
                    )));
                }
                Err(e) => failures.push(format!("{} ({}): {e:#?}", f.display(), d.kind)),
                Ok(()) => assert!(!UPPERCASE_NAMES.contains(&name), "{name} accepted"),
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    for kind in [
        "Rollout",
        "AnalysisRun",
        "AnalysisTemplate",
        "ClusterAnalysisTemplate",
        "Experiment",
        "Canary",
        "FeatureFlag",
    ] {
        assert!(
            checked.iter().any(|k| k == kind),
            "no {kind} among the fixtures: {checked:?}"
        );
    }
    eprintln!(
        "{} fixture objects of custom kinds validated",
        checked.len()
    );
    assert!(
        checked.len() >= 20,
        "only {} objects checked",
        checked.len()
    );
}
