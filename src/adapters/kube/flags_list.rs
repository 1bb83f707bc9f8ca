//! One look at every flagd definition in scope, for `shipdeck check`: the kinds the flags
//! watcher reads (ConfigMaps, OpenFeature `FeatureFlag`s), listed once and parsed.

use kube::api::{Api, DynamicObject, ListParams};

use super::flags::KINDS;
use super::watching::served;
use crate::domain::scope::NamespaceScope;

/// What a list of the flagd definitions found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlagdSummary {
    pub flags: usize,
    /// Objects holding at least one flag.
    pub definitions: usize,
    /// `key (namespace/name): reason` for every invalid definition.
    pub invalid: Vec<String>,
    /// Kinds that are not installed.
    pub missing: Vec<&'static str>,
}

/// Lists every definition in `namespaces`; `Err` names the kind and namespace that could
/// not be listed and why (403 spelled as the verb that was refused).
pub async fn list(
    client: &kube::Client,
    namespaces: &NamespaceScope,
) -> Result<FlagdSummary, String> {
    let scopes: Vec<Option<&str>> = match namespaces {
        NamespaceScope::All => vec![None],
        NamespaceScope::Some(list) => list.iter().map(|n| Some(n.as_str())).collect(),
    };
    let mut out = FlagdSummary::default();
    for k in &KINDS {
        if served(client, k.gvk).await == Some(false) {
            out.missing.push(k.gvk.kind);
            continue;
        }
        let ar = k.gvk.api_resource();
        for ns in &scopes {
            let api: Api<DynamicObject> = match ns {
                Some(n) => Api::namespaced_with(client.clone(), n, &ar),
                None => Api::all_with(client.clone(), &ar),
            };
            let where_ = ns.map_or("all namespaces".to_string(), |n| format!("namespace {n}"));
            let list = api
                .list(&ListParams::default())
                .await
                .map_err(|e| match &e {
                    kube::Error::Api(s) if s.code == 403 => {
                        format!("forbidden: list {} in {where_}", k.gvk.plural)
                    }
                    _ => format!("cannot list {} in {where_}: {e}", k.gvk.plural),
                })?;
            for obj in list.items {
                let Ok(value) = serde_json::to_value(&obj) else {
                    continue;
                };
                let flags = (k.parse)(&value);
                if flags.is_empty() {
                    continue;
                }
                out.definitions += 1;
                out.flags += flags.len();
                let name = format!(
                    "{}/{}",
                    obj.metadata.namespace.as_deref().unwrap_or(""),
                    obj.metadata.name.as_deref().unwrap_or("")
                );
                out.invalid.extend(flags.iter().filter_map(|f| {
                    f.invalid
                        .as_ref()
                        .map(|why| format!("{} ({name}): {why}", f.key))
                }));
            }
        }
    }
    Ok(out)
}
