use super::*;
use crate::sim::crds::STANDARD_VERBS;

fn entry<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["name"] == name))
        .unwrap_or_else(|| panic!("{name} missing from {list}"))
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn version_has_every_field_kubectl_reads() {
    let v = version_info();
    for f in [
        "major",
        "minor",
        "gitVersion",
        "gitCommit",
        "gitTreeState",
        "buildDate",
        "goVersion",
        "compiler",
        "platform",
    ] {
        assert!(v[f].as_str().is_some_and(|s| !s.is_empty()), "{f}");
    }
    assert_eq!(
        (v["major"].as_str(), v["minor"].as_str()),
        (Some("1"), Some("37"))
    );
    assert!(
        v["gitVersion"]
            .as_str()
            .is_some_and(|s| s.starts_with("v1.37."))
    );
    assert!(chrono::DateTime::parse_from_rfc3339(v["buildDate"].as_str().unwrap_or("")).is_ok());
    assert!(v["platform"].as_str().is_some_and(|p| p.contains('/')));
}

#[test]
fn core_versions() {
    let v = core_api_versions();
    assert_eq!(v["kind"], "APIVersions");
    assert_eq!(strs(&v["versions"]), ["v1"]);
    assert_eq!(
        v["serverAddressByClientCIDRs"][0]["clientCIDR"],
        "0.0.0.0/0"
    );
    assert_eq!(
        core_api_versions_at("10.0.0.1:443")["serverAddressByClientCIDRs"][0]["serverAddress"],
        "10.0.0.1:443"
    );
}

#[test]
fn group_list_names_every_group_with_a_preferred_version() {
    let list = api_group_list(Catalog::get());
    assert_eq!(
        (list["kind"].as_str(), list["apiVersion"].as_str()),
        (Some("APIGroupList"), Some("v1"))
    );
    let groups = list["groups"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = groups.iter().filter_map(|g| g["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "apps",
            "events.k8s.io",
            "authentication.k8s.io",
            "authorization.k8s.io",
            "argoproj.io",
            "core.openfeature.dev",
            "flagger.app"
        ]
    );
    for g in &groups {
        let name = g["name"].as_str().unwrap_or("");
        let pref = &g["preferredVersion"];
        assert!(
            pref["groupVersion"]
                .as_str()
                .is_some_and(|gv| gv.starts_with(&format!("{name}/")))
        );
        assert!(
            g["versions"].as_array().is_some_and(|vs| vs.contains(pref)),
            "{name}"
        );
    }
    assert_eq!(
        groups[4]["preferredVersion"]["groupVersion"],
        "argoproj.io/v1alpha1"
    );
}

#[test]
fn versions_sort_like_kubernetes() {
    let mut vs = vec![
        "v1alpha1",
        "v2",
        "foo",
        "v1beta2",
        "v1",
        "v1beta1",
        "v10alpha3",
    ];
    vs.sort_by(|a, b| compare_versions(a, b));
    assert_eq!(
        vs,
        [
            "v2",
            "v1",
            "v1beta2",
            "v1beta1",
            "v10alpha3",
            "v1alpha1",
            "foo"
        ]
    );
}

#[test]
fn core_resource_list() {
    let list = api_resource_list(Catalog::get(), "", "v1").unwrap_or_default();
    assert_eq!(list["kind"], "APIResourceList");
    assert_eq!(list["groupVersion"], "v1");
    assert!(list.get("apiVersion").is_none());
    let pods = entry(&list, "pods");
    assert_eq!(
        (pods["kind"].as_str(), pods["singularName"].as_str()),
        (Some("Pod"), Some("pod"))
    );
    assert_eq!(pods["namespaced"], true);
    assert_eq!(strs(&pods["shortNames"]), ["po"]);
    assert_eq!(strs(&pods["categories"]), ["all"]);
    assert_eq!(strs(&pods["verbs"]), STANDARD_VERBS);
    assert!(
        pods["storageVersionHash"]
            .as_str()
            .is_some_and(|h| h.len() == 12)
    );
    let ns = entry(&list, "namespaces");
    assert_eq!(ns["namespaced"], false);
    assert_eq!(strs(&ns["shortNames"]), ["ns"]);
    assert_eq!(entry(&list, "namespaces/status")["kind"], "Namespace");
    assert_eq!(strs(&entry(&list, "services")["shortNames"]), ["svc"]);
    assert_eq!(strs(&entry(&list, "configmaps")["shortNames"]), ["cm"]);
    assert!(entry(&list, "configmaps").get("categories").is_none());
    assert_eq!(strs(&entry(&list, "events")["shortNames"]), ["ev"]);
    let proxy = entry(&list, "services/proxy");
    assert_eq!(
        strs(&proxy["verbs"]),
        ["create", "delete", "get", "patch", "update"]
    );
    assert_eq!(proxy["singularName"], "");
    let names: Vec<&str> = list["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["name"].as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
}

#[test]
fn rollouts_list_has_status_and_scale() {
    let list = api_resource_list(Catalog::get(), "argoproj.io", "v1alpha1").unwrap_or_default();
    assert_eq!(
        (list["apiVersion"].as_str(), list["groupVersion"].as_str()),
        (Some("v1"), Some("argoproj.io/v1alpha1"))
    );
    let ro = entry(&list, "rollouts");
    assert_eq!(strs(&ro["shortNames"]), ["ro"]);
    assert_eq!(ro["kind"], "Rollout");
    assert_eq!(strs(&ro["verbs"]).len(), 8);
    let status = entry(&list, "rollouts/status");
    assert_eq!(
        (status["kind"].as_str(), status["namespaced"].as_bool()),
        (Some("Rollout"), Some(true))
    );
    assert_eq!(strs(&status["verbs"]), ["get", "patch", "update"]);
    let scale = entry(&list, "rollouts/scale");
    assert_eq!(
        (
            scale["group"].as_str(),
            scale["version"].as_str(),
            scale["kind"].as_str()
        ),
        (Some("autoscaling"), Some("v1"), Some("Scale"))
    );
    assert_eq!(strs(&scale["verbs"]), ["get", "patch", "update"]);
    assert_eq!(
        entry(&list, "clusteranalysistemplates")["namespaced"],
        false
    );
    assert!(
        list["resources"]
            .as_array()
            .is_some_and(|rs| !rs.iter().any(|r| r["name"] == "analysisruns/status"))
    );
}

#[test]
fn other_lists() {
    let c = Catalog::get();
    let apps = api_resource_list(c, "apps", "v1").unwrap_or_default();
    assert_eq!(entry(&apps, "deployments/scale")["kind"], "Scale");
    assert_eq!(strs(&entry(&apps, "replicasets")["shortNames"]), ["rs"]);
    let authz = api_resource_list(c, "authorization.k8s.io", "v1").unwrap_or_default();
    assert_eq!(
        strs(&entry(&authz, "selfsubjectaccessreviews")["verbs"]),
        ["create"]
    );
    let flagger = api_resource_list(c, "flagger.app", "v1beta1").unwrap_or_default();
    assert_eq!(strs(&entry(&flagger, "canaries")["categories"]), ["all"]);
    assert!(api_resource_list(c, "argoproj.io", "v1").is_none());
    assert!(api_resource_list(c, "nope.io", "v1").is_none());
    assert!(api_resource_list(c, "", "v2").is_none());
}
