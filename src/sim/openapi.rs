//! The OpenAPI v3 documents kubectl reads before `create`/`apply`: it asks whether each
//! kind's PATCH operation takes the `fieldValidation` parameter (server-side field
//! validation). The simulator serves the root index and, per group version, the
//! operations with their `x-kubernetes-group-version-kind` and parameters; schemas are not
//! served (the CRD schemas validate on the server).

use serde_json::{Map, Value, json};

use super::crds::Catalog;
use super::discovery::groups;

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `GET /openapi/v3`: every served group version and where its document is.
pub fn root(catalog: &Catalog) -> Value {
    let mut paths = Map::new();
    let core = (String::new(), vec!["v1".to_string()]);
    for (group, versions) in std::iter::once(core).chain(groups(catalog)) {
        for version in versions {
            let p = gv_path(&group, &version);
            paths.insert(
                p.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash=shipdeck-sim")}),
            );
        }
    }
    json!({"paths": paths})
}

fn param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "description": description, "schema": {"type": "string", "uniqueItems": true}})
}

/// `GET /openapi/v3/{api/v1 | apis/{g}/{v}}`, or `None` for an unknown group version.
pub fn group_version(catalog: &Catalog, group: &str, version: &str) -> Option<Value> {
    let defs: Vec<_> = catalog
        .defs()
        .iter()
        .filter(|d| d.group == group && d.version == version)
        .collect();
    if defs.is_empty() {
        return None;
    }
    let prefix = gv_path(group, version);
    let write_params = vec![
        param(
            "dryRun",
            "When present, indicates that modifications should not be persisted.",
        ),
        param(
            "fieldManager",
            "A name associated with the actor or entity that is making these changes.",
        ),
        param(
            "fieldValidation",
            "Ignore, Warn or Strict: how the server treats unknown or duplicate fields.",
        ),
    ];
    let mut paths = Map::new();
    for d in defs {
        let gvk = json!({"group": d.group, "version": d.version, "kind": d.kind});
        let base = if d.namespaced {
            format!("/{prefix}/namespaces/{{namespace}}/{}", d.plural)
        } else {
            format!("/{prefix}/{}", d.plural)
        };
        let op = |id: &str, params: &Vec<Value>| {
            json!({
                "operationId": format!("{id}{}", d.kind),
                "x-kubernetes-action": id,
                "x-kubernetes-group-version-kind": gvk,
                "parameters": params,
                "responses": {"200": {"description": "OK"}},
            })
        };
        if d.verbs.iter().any(|v| v == "create") {
            paths.insert(base.clone(), json!({"post": op("create", &write_params)}));
        }
        if d.verbs.iter().any(|v| v == "patch") {
            paths.insert(
                format!("{base}/{{name}}"),
                json!({
                    "get": op("get", &Vec::new()),
                    "put": op("replace", &write_params),
                    "patch": op("patch", &write_params),
                    "delete": op("delete", &Vec::new()),
                }),
            );
        }
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes (shipdeck sim)", "version": "v1.37.0"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_kind_declares_field_validation_on_patch() {
        let c = Catalog::get();
        let r = root(c);
        assert!(r["paths"]["apis/argoproj.io/v1alpha1"]["serverRelativeURL"].is_string());
        assert!(r["paths"]["api/v1"].is_object());
        let doc = group_version(c, "argoproj.io", "v1alpha1").unwrap();
        let patch = &doc["paths"]["/apis/argoproj.io/v1alpha1/namespaces/{namespace}/rollouts/{name}"]
            ["patch"];
        assert_eq!(patch["x-kubernetes-group-version-kind"]["kind"], "Rollout");
        assert!(
            patch["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation")
        );
        assert!(group_version(c, "nope.io", "v1").is_none());
    }
}
