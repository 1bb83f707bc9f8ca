//! PATCH semantics of the simulated API server.
//!
//! * `application/merge-patch+json` — RFC 7386: the body is a JSON object merged recursively into
//!   the target, `null` removes a key, every other value (lists included) replaces.
//! * `application/json-patch+json` — RFC 6902: an array of operations applied atomically. A body
//!   that does not parse is a 400; an operation that cannot be applied (failed `test`, missing
//!   path) is a 422.
//! * `application/strategic-merge-patch+json` — Kubernetes' strategic merge patch, built-in kinds
//!   only (custom kinds get 415 like on a real server): a merge patch whose lists with a *patch
//!   merge key* (`containers` by `name`, `volumeMounts` by `mountPath`, container `ports` by
//!   `containerPort`, a Service's `spec.ports` by `port`, … see [`list_strategy`]) merge
//!   element-wise: matching elements merge, new ones are added, live ones not in the patch stay.
//!   `metadata.finalizers` merges as a set; every other list is replaced. Directives:
//!   `$patch: replace|delete|merge` on a map (replace it / remove it / default) or as a list
//!   element (`{"$patch":"replace"}` replaces the list, `{"name":"x","$patch":"delete"}` removes
//!   that element); `$retainKeys` drops unlisted keys of the live map; `$setElementOrder/<list>`
//!   orders the merged list (unmentioned live elements keep their place, as apimachinery
//!   interleaves them); `$deleteFromPrimitiveList/<list>` removes values from a scalar list.
//!   Directive keys never reach the result; nulls that delete nothing are dropped.
use serde_json::{Map, Value};

/// A [`PatchError::Malformed`] with a formatted message.
macro_rules! bad {
    ($($arg:tt)*) => {
        PatchError::Malformed(format!($($arg)*))
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Merge,
    Json,
    Strategic,
}

impl PatchType {
    /// From the request's Content-Type; `None` for types the server does not support.
    pub fn from_content_type(ct: &str) -> Option<Self> {
        let essence = ct.split(';').next().unwrap_or_default().trim();
        match essence.to_ascii_lowercase().as_str() {
            "application/merge-patch+json" => Some(Self::Merge),
            "application/json-patch+json" => Some(Self::Json),
            "application/strategic-merge-patch+json" => Some(Self::Strategic),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatchError {
    /// The patch body is malformed (400 BadRequest).
    #[error("{0}")]
    Malformed(String),
    /// The patch is well-formed but cannot be applied, e.g. a failed JSON-patch `test` or a
    /// path that does not exist (422 Invalid).
    #[error("{0}")]
    Unprocessable(String),
    /// Strategic merge on a kind that does not support it (415).
    #[error("{0}")]
    Unsupported(String),
}

/// Applies `body` to `target`. `strategic_allowed` is false for custom kinds.
pub fn apply_patch(
    target: &Value,
    kind: PatchType,
    body: &[u8],
    strategic_allowed: bool,
) -> Result<Value, PatchError> {
    match kind {
        PatchType::Merge => {
            let patch = parse_object(body, "merge patch")?;
            let mut doc = target.clone();
            json_patch::merge(&mut doc, &Value::Object(patch));
            Ok(doc)
        }
        PatchType::Json => {
            let ops: json_patch::Patch =
                serde_json::from_slice(body).map_err(|e| bad!("invalid JSON patch: {e}"))?;
            let mut doc = target.clone();
            json_patch::patch(&mut doc, &ops).map_err(|e| {
                PatchError::Unprocessable(format!("JSON patch could not be applied: {e}"))
            })?;
            Ok(doc)
        }
        PatchType::Strategic => {
            if !strategic_allowed {
                return Err(PatchError::Unsupported(UNSUPPORTED.into()));
            }
            let patch = parse_object(body, "strategic merge patch")?;
            let kind = target.get("kind").and_then(Value::as_str).unwrap_or("");
            let original = target.as_object().cloned().unwrap_or_default();
            let mut cx = Cx {
                kind,
                path: Vec::new(),
            };
            let merged = merge_map(original, &patch, &mut cx)?;
            Ok(Value::Object(merged.unwrap_or_default()))
        }
    }
}

fn parse_object(body: &[u8], what: &str) -> Res<Obj> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad!("{what} must be a JSON object")),
        Err(e) => Err(bad!("invalid {what} body: {e}")),
    }
}

const UNSUPPORTED: &str = "strategic merge patch is not supported for custom resources; \
                           use --type merge or --type json";
const PATCH: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ORDER: &str = "$setElementOrder/";
const DELETE_PRIMITIVE: &str = "$deleteFromPrimitiveList/";

/// How a list field merges: replaced by the patch list, merged element-wise by a key, or (for
/// scalars) merged as an ordered set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListStrategy {
    Replace,
    MergeKey(&'static str),
    PrimitiveMerge,
}

/// Lists merged by `name` wherever they appear in a built-in object (containers first).
#[rustfmt::skip]
const NAME_KEYED: [&str; 6] = ["containers", "initContainers", "ephemeralContainers",
    "volumes", "imagePullSecrets", "schedulingGates"];

/// The strategy for list `field` of the map reached through `path` (map keys only, list indices
/// elided) in an object of `kind`; mirrors the `patchStrategy`/`patchMergeKey` tags of the
/// built-in API types.
pub(crate) fn list_strategy(kind: &str, path: &[String], field: &str) -> ListStrategy {
    use ListStrategy::{MergeKey, PrimitiveMerge, Replace};
    let parent = last(path);
    let in_container = NAME_KEYED[..3].contains(&parent);
    match field {
        f if NAME_KEYED.contains(&f) => MergeKey("name"),
        "env" if in_container => MergeKey("name"),
        "volumeMounts" if in_container => MergeKey("mountPath"),
        "volumeDevices" if in_container => MergeKey("devicePath"),
        "ports" if in_container => MergeKey("containerPort"),
        "ports" if kind == "Service" && path.len() == 1 && parent == "spec" => MergeKey("port"),
        "hostAliases" => MergeKey("ip"),
        "topologySpreadConstraints" => MergeKey("topologyKey"),
        "resourceClaims" if parent == "spec" => MergeKey("name"),
        "conditions" => MergeKey("type"),
        "addresses" if kind == "Node" && parent == "status" => MergeKey("type"),
        "secrets" if kind == "ServiceAccount" && path.is_empty() => MergeKey("name"),
        "ownerReferences" if parent == "metadata" => MergeKey("uid"),
        "finalizers" if parent == "metadata" => PrimitiveMerge,
        _ => Replace,
    }
}

type Obj = Map<String, Value>;
type Res<T> = Result<T, PatchError>;

/// Where the merge is: the object's kind and the map keys leading to the current value.
struct Cx<'a> {
    kind: &'a str,
    path: Vec<String>,
}

impl Cx<'_> {
    /// Runs `f` with `key` pushed onto the path.
    fn at<T>(&mut self, key: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(key.to_owned());
        let out = f(self);
        self.path.pop();
        out
    }
}

/// Merges `patch` into `original`; `None` means the map carried `$patch: delete`.
fn merge_map(mut original: Obj, patch: &Obj, cx: &mut Cx) -> Res<Option<Obj>> {
    match patch.get(PATCH) {
        None => {}
        Some(Value::String(d)) if d == "merge" => {}
        Some(Value::String(d)) if d == "delete" => return Ok(None),
        Some(Value::String(d)) if d == "replace" => original = Map::new(),
        Some(other) => return Err(bad!("unknown $patch directive {other}")),
    }
    if let Some(keys) = patch.get(RETAIN_KEYS) {
        let keys = keys
            .as_array()
            .ok_or_else(|| bad!("$retainKeys must be a list of field names"))?;
        let listed = |k: &str| keys.iter().any(|v| v.as_str() == Some(k));
        let stray = patch
            .iter()
            .find(|(k, v)| !k.starts_with('$') && !v.is_null() && !listed(k));
        if let Some((k, _)) = stray {
            return Err(bad!("field {k:?} is set but not listed in $retainKeys"));
        }
        original.retain(|k, _| listed(k));
    }
    let mut orders: Vec<(&str, &Vec<Value>)> = Vec::new();
    for (key, value) in patch {
        if let Some(field) = key.strip_prefix(DELETE_PRIMITIVE) {
            let remove = directive_list(key, field, value)?;
            if let Some(Value::Array(list)) = original.get_mut(field) {
                list.retain(|v| !remove.contains(v));
            }
        } else if let Some(field) = key.strip_prefix(SET_ORDER) {
            orders.push((field, directive_list(key, field, value)?));
        }
    }
    let order_for = |field: &str| orders.iter().find(|(f, _)| *f == field).map(|(_, o)| *o);
    for (key, value) in patch.iter().filter(|(k, _)| !k.starts_with('$')) {
        if value.is_null() {
            original.retain(|k, _| k != key);
            continue;
        }
        let strategy = list_strategy(cx.kind, &cx.path, key);
        let live = original.get_mut(key).map(Value::take);
        match cx.at(key, |cx| {
            merge_value(live, value, strategy, order_for(key), cx)
        })? {
            Some(v) => drop(original.insert(key.clone(), v)),
            None => original.retain(|k, _| k != key),
        }
    }
    // `$setElementOrder` for a list the patch does not touch only reorders the live list.
    for (field, order) in orders.iter().filter(|(f, _)| !patch.contains_key(*f)) {
        let strategy = list_strategy(cx.kind, &cx.path, field);
        if let Some(Value::Array(live)) = original.get_mut(*field)
            && strategy != ListStrategy::Replace
        {
            let taken = std::mem::take(live);
            *live = cx.at(field, |cx| {
                merge_list(taken, &[], strategy, Some(order), cx)
            })?;
        }
    }
    Ok(Some(original))
}

fn directive_list<'a>(key: &str, field: &str, value: &'a Value) -> Res<&'a Vec<Value>> {
    match value.as_array() {
        Some(list) if !field.is_empty() => Ok(list),
        _ => Err(bad!("{key:?} must name a field and hold a list")),
    }
}

/// Merges one patch value into the live value (if any); `None` means "remove the field".
fn merge_value(
    live: Option<Value>,
    patch: &Value,
    strategy: ListStrategy,
    order: Option<&Vec<Value>>,
    cx: &mut Cx,
) -> Res<Option<Value>> {
    Ok(match (patch, live) {
        (Value::Object(p), Some(Value::Object(m))) => merge_map(m, p, cx)?.map(Value::Object),
        (Value::Object(p), _) => merge_map(Map::new(), p, cx)?.map(Value::Object),
        (Value::Array(p), Some(Value::Array(l))) => {
            Some(Value::Array(merge_list(l, p, strategy, order, cx)?))
        }
        (Value::Array(p), _) => Some(Value::Array(merge_list(vec![], p, strategy, order, cx)?)),
        (scalar, _) => Some(scalar.clone()),
    })
}

fn merge_list(
    mut live: Vec<Value>,
    patch: &[Value],
    strategy: ListStrategy,
    order: Option<&Vec<Value>>,
    cx: &mut Cx,
) -> Res<Vec<Value>> {
    let key = match strategy {
        ListStrategy::MergeKey(k) => Some(k),
        ListStrategy::PrimitiveMerge => None,
        ListStrategy::Replace => {
            let mut out = Vec::with_capacity(patch.len());
            for item in patch.iter().filter(|v| v.get(PATCH).is_none()) {
                out.extend(merge_value(None, item, strategy, None, cx)?);
            }
            return Ok(out);
        }
    };
    let field = last(&cx.path).to_owned();
    let mut regular = Vec::with_capacity(patch.len());
    let mut replace = false;
    for item in patch {
        match (key, item) {
            (Some(k), Value::Object(map)) => match map.get(PATCH).and_then(Value::as_str) {
                Some("delete") => {
                    let id = map.get(k).ok_or_else(|| no_key(&field, k))?;
                    live.retain(|v| v.get(k) != Some(id));
                }
                Some("replace") => replace = true,
                _ => regular.push(item),
            },
            (None, Value::Object(_) | Value::Array(_)) | (Some(_), _) => {
                return Err(bad!("unexpected element {item} in {field:?}"));
            }
            (None, _) => regular.push(item),
        }
    }
    if let Some(order) = order {
        check_order(&regular, order, key)?;
    }
    if replace {
        live.clear();
    }
    let server = live.clone();
    for item in &regular {
        let Some(k) = key else {
            if !live.contains(item) {
                live.push((*item).clone());
            }
            continue;
        };
        let id = item.get(k).ok_or_else(|| no_key(&field, k))?;
        match live.iter_mut().find(|v| v.get(k) == Some(id)) {
            Some(slot) => {
                let merged = merge_value(Some(slot.take()), item, strategy, None, cx)?;
                *slot = merged.unwrap_or_default();
            }
            None => live.extend(merge_value(None, item, strategy, None, cx)?),
        }
    }
    live.retain(|v| !v.is_null());
    let regular: Vec<Value> = regular.into_iter().cloned().collect();
    let order = order.unwrap_or(&regular);
    Ok(normalize_order(live, order, &server, key))
}

/// The patch list must list its elements in the order `$setElementOrder` gives them.
fn check_order(items: &[&Value], order: &[Value], key: Option<&str>) -> Res<()> {
    let mut wanted = order.iter().map(|v| item_id(v, key));
    for item in items {
        let id = item_id(item, key);
        if !wanted.any(|w| w == id) {
            return Err(bad!("list order contradicts $setElementOrder at {item}"));
        }
    }
    Ok(())
}

/// What identifies a list element: its merge key, or the value itself for scalars.
fn item_id(v: &Value, key: Option<&str>) -> Option<Value> {
    match key {
        Some(k) => v.get(k).cloned(),
        None => Some(v.clone()),
    }
}

fn no_key(field: &str, key: &str) -> PatchError {
    bad!("an element of {field:?} lacks the merge key {key:?}")
}

fn last(path: &[String]) -> &str {
    path.last().map_or("", String::as_str)
}

/// Orders `merged` the way apimachinery does: elements named by `order` take that order,
/// the others keep their order from `server`, and the two runs interleave by their positions in
/// `server` (an element unknown to the server goes as early as possible).
fn normalize_order(
    merged: Vec<Value>,
    order: &[Value],
    server: &[Value],
    key: Option<&str>,
) -> Vec<Value> {
    let pos = |list: &[Value], v: &Value| -> Option<usize> {
        let wanted = item_id(v, key)?;
        list.iter()
            .position(|x| item_id(x, key).as_ref() == Some(&wanted))
    };
    let (mut patched, mut server_only): (Vec<Value>, Vec<Value>) =
        merged.into_iter().partition(|v| pos(order, v).is_some());
    patched.sort_by_key(|v| pos(order, v));
    server_only.sort_by_key(|v| pos(server, v).unwrap_or(usize::MAX));
    let mut out = Vec::with_capacity(patched.len() + server_only.len());
    let mut left = server_only.into_iter().peekable();
    let mut right = patched.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => matches!(
                (pos(server, l), pos(server, r)),
                (Some(li), Some(ri)) if li < ri
            ),
        };
        out.extend(if take_left { left.next() } else { right.next() });
    }
    out
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
