use std::time::Instant;

use super::*;

fn def<'a>(c: &'a Catalog, group: &str, version: &str, plural: &str) -> &'a ResourceDef {
    c.find(group, version, plural)
        .unwrap_or_else(|| panic!("{group}/{version} {plural} missing"))
}

#[test]
fn one_time_parse_is_measured() {
    let start = Instant::now();
    let c = Catalog::build();
    let took = start.elapsed();
    eprintln!("catalog build (parse of all embedded CRDs): {took:?}");
    assert_eq!(c.defs().len(), Catalog::get().defs().len());
}

#[test]
fn every_kind_is_present() {
    let c = Catalog::get();
    let want = [
        ("", "namespaces", "Namespace"),
        ("", "pods", "Pod"),
        ("", "services", "Service"),
        ("", "configmaps", "ConfigMap"),
        ("", "events", "Event"),
        ("events.k8s.io", "events", "Event"),
        ("apps", "deployments", "Deployment"),
        ("apps", "replicasets", "ReplicaSet"),
        (
            "authorization.k8s.io",
            "selfsubjectaccessreviews",
            "SelfSubjectAccessReview",
        ),
        (
            "authentication.k8s.io",
            "selfsubjectreviews",
            "SelfSubjectReview",
        ),
    ];
    for (g, p, k) in want {
        let d = def(c, g, "v1", p);
        assert_eq!(d.kind, k);
        assert_eq!(d.list_kind, format!("{k}List"));
        assert!(!d.custom);
        assert!(d.schema.is_none());
    }
    let custom = [
        ("argoproj.io", "v1alpha1", "rollouts", "Rollout", "ro"),
        (
            "argoproj.io",
            "v1alpha1",
            "analysisruns",
            "AnalysisRun",
            "ar",
        ),
        (
            "argoproj.io",
            "v1alpha1",
            "analysistemplates",
            "AnalysisTemplate",
            "at",
        ),
        (
            "argoproj.io",
            "v1alpha1",
            "clusteranalysistemplates",
            "ClusterAnalysisTemplate",
            "cat",
        ),
        (
            "argoproj.io",
            "v1alpha1",
            "experiments",
            "Experiment",
            "exp",
        ),
        (
            "core.openfeature.dev",
            "v1beta1",
            "featureflags",
            "FeatureFlag",
            "ff",
        ),
    ];
    for (g, v, p, k, short) in custom {
        let d = def(c, g, v, p);
        assert_eq!(d.kind, k);
        assert!(d.custom);
        assert_eq!(d.short_names, vec![short.to_string()]);
        assert!(
            d.schema
                .as_ref()
                .is_some_and(|s| s.get("properties").is_some()),
            "{p}"
        );
        assert_eq!(d.verbs.len(), 8);
    }
    for (p, k) in [
        ("canaries", "Canary"),
        ("metrictemplates", "MetricTemplate"),
        ("alertproviders", "AlertProvider"),
    ] {
        let d = def(c, "flagger.app", "v1beta1", p);
        assert_eq!(d.kind, k);
        assert!(d.custom && d.namespaced);
    }
    assert_eq!(c.defs().iter().filter(|d| d.custom).count(), 9);
}

#[test]
fn builtins_look_like_a_real_cluster() {
    let c = Catalog::get();
    let ns = def(c, "", "v1", "namespaces");
    assert!(!ns.namespaced && ns.status_subresource);
    assert_eq!(ns.short_names, ["ns"]);
    assert!(!ns.verbs.iter().any(|v| v == "deletecollection"));
    let deploy = def(c, "apps", "v1", "deployments");
    assert!(deploy.status_subresource && deploy.scale_subresource);
    assert_eq!(deploy.short_names, ["deploy"]);
    assert_eq!(deploy.categories, ["all"]);
    assert_eq!(deploy.verbs, STANDARD_VERBS);
    let ev = def(c, "events.k8s.io", "v1", "events");
    assert_eq!(
        (ev.api_version().as_str(), ev.short_names.as_slice()),
        ("events.k8s.io/v1", &["ev".to_string()][..])
    );
    let ssar = def(c, "authorization.k8s.io", "v1", "selfsubjectaccessreviews");
    assert_eq!(ssar.verbs, ["create"]);
    assert!(!ssar.namespaced);
    let in_all: Vec<&str> = c
        .category("all")
        .iter()
        .map(|d| d.plural.as_str())
        .collect();
    for p in ["pods", "services", "deployments", "replicasets", "canaries"] {
        assert!(in_all.contains(&p), "{p} not in category all: {in_all:?}");
    }
    assert!(!in_all.contains(&"configmaps"));
}

#[test]
fn rollout_matches_its_crd() {
    let c = Catalog::get();
    let ro = def(c, "argoproj.io", "v1alpha1", "rollouts");
    assert_eq!(
        (ro.singular.as_str(), ro.list_kind.as_str()),
        ("rollout", "RolloutList")
    );
    assert!(ro.namespaced && ro.status_subresource && ro.scale_subresource);
    assert_eq!(ro.short_names, ["ro"]);
    let cols: Vec<(&str, &str, &str)> = ro
        .printer_columns
        .iter()
        .map(|p| (p.name.as_str(), p.type_.as_str(), p.json_path.as_str()))
        .collect();
    assert_eq!(
        cols,
        [
            ("Desired", "integer", ".spec.replicas"),
            ("Current", "integer", ".status.replicas"),
            ("Up-to-date", "integer", ".status.updatedReplicas"),
            ("Available", "integer", ".status.availableReplicas"),
            ("Age", "date", ".metadata.creationTimestamp"),
        ]
    );
    assert_eq!(ro.printer_columns[0].description, "Number of desired pods");
    assert_eq!(ro.api_version(), "argoproj.io/v1alpha1");
    assert_eq!(ro.group_resource(), "rollouts.argoproj.io");
    assert!(
        c.find_kind("argoproj.io/v1alpha1", "Rollout")
            .is_some_and(|d| d.plural == "rollouts")
    );
    assert!(c.find_kind("v1", "Pod").is_some_and(|d| d.plural == "pods"));
}

#[test]
fn other_crd_details() {
    let c = Catalog::get();
    let cat = def(c, "argoproj.io", "v1alpha1", "clusteranalysistemplates");
    assert!(!cat.namespaced);
    let ar = def(c, "argoproj.io", "v1alpha1", "analysisruns");
    assert!(!ar.status_subresource && !ar.scale_subresource);
    assert_eq!(
        ar.printer_columns.first().map(|p| p.json_path.as_str()),
        Some(".status.phase")
    );
    let ff = def(c, "core.openfeature.dev", "v1beta1", "featureflags");
    assert!(ff.status_subresource);
    // No additionalPrinterColumns: a real server serves a lone Age column.
    assert_eq!(ff.printer_columns.len(), 1);
    assert_eq!(
        ff.printer_columns[0].json_path,
        ".metadata.creationTimestamp"
    );
    let canary = def(c, "flagger.app", "v1beta1", "canaries");
    assert!(canary.status_subresource);
    assert_eq!(canary.categories, ["all"]);
    assert!(
        canary.printer_columns.iter().any(|p| p.priority == 1),
        "flagger has wide-only columns"
    );
}

#[test]
fn resolve_accepts_what_kubectl_accepts() {
    let c = Catalog::get();
    let plural_of = |n: &str| c.resolve(n).map(|d| (d.group.as_str(), d.plural.as_str()));
    assert_eq!(plural_of("ro"), Some(("argoproj.io", "rollouts")));
    assert_eq!(plural_of("Rollout"), Some(("argoproj.io", "rollouts")));
    assert_eq!(
        plural_of("rollouts.argoproj.io"),
        Some(("argoproj.io", "rollouts"))
    );
    assert_eq!(plural_of("deploy"), Some(("apps", "deployments")));
    assert_eq!(plural_of("ev"), Some(("", "events")));
    assert_eq!(
        plural_of("events.events.k8s.io"),
        Some(("events.k8s.io", "events"))
    );
    assert_eq!(plural_of("po"), Some(("", "pods")));
    assert_eq!(plural_of("nothing"), None);
}

#[test]
fn non_crd_documents_are_ignored() {
    assert!(defs_from_crd(&serde_json::json!({"kind": "ConfigMap"})).is_empty());
    let crd = serde_json::json!({
        "kind": "CustomResourceDefinition",
        "spec": {"group": "x.io", "scope": "Cluster", "names": {"kind": "Thing", "plural": "things"},
                 "versions": [{"name": "v1", "served": true}, {"name": "v0", "served": false}]}
    });
    let defs = defs_from_crd(&crd);
    assert_eq!(defs.len(), 1);
    assert_eq!(
        (defs[0].singular.as_str(), defs[0].list_kind.as_str()),
        ("thing", "ThingList")
    );
    assert!(!defs[0].namespaced);
}
