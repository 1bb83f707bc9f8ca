//! Lists: selectors, pagination (`limit` / opaque `continue`), and Tables.

use axum::response::Response;
use base64::Engine as _;
use serde_json::{Value, json};

use super::resources::{Target, lock, ok, present};
use super::selector::{FieldSelector, LabelSelector};
use super::server::{Req, Shared};
use super::status::ApiError;
use super::table::{IncludeObject, table};

pub fn list(sim: &Shared, req: &Req<'_>, t: &Target<'_>) -> Result<Response, ApiError> {
    let labels = LabelSelector::parse(req.param("labelSelector").unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("unable to parse requirement: {e}")))?;
    let fields = FieldSelector::parse(req.param("fieldSelector").unwrap_or(""), "Event")
        .map_err(ApiError::bad_request)?;
    // Pagination: `continue` is an opaque token naming the last item served.
    let after = match req.param("continue").filter(|c| !c.is_empty()) {
        Some(tok) => Some(decode_continue(tok)?),
        None => None,
    };
    let limit = req
        .param("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    let (page, remaining, rv) = {
        let store = lock(sim)?;
        let ns = (!t.ns.is_empty()).then_some(t.ns.as_str());
        let (page, remaining) = store.list_page(t.def, ns, after.as_ref(), limit, |o| {
            labels.matches(o) && fields.matches(o)
        });
        (page, remaining, store.resource_version())
    };
    let page: Vec<Value> = page.iter().map(|o| present(t.def, o)).collect();
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if remaining > 0
        && let Some(last) = page.last()
    {
        let (ns, name) = key_of(last);
        meta["continue"] =
            json!(base64::engine::general_purpose::STANDARD.encode(format!("{rv}\n{ns}\n{name}")));
        meta["remainingItemCount"] = json!(remaining);
    }
    if req.wants_table() {
        let mut tbl = table(
            t.def,
            &page,
            IncludeObject::from_query(req.param("includeObject")),
            &rv.to_string(),
            sim.timeline.now(),
        );
        if let Some(c) = meta.get("continue") {
            tbl["metadata"]["continue"] = c.clone();
        }
        return ok(&tbl);
    }
    ok(&json!({
        "kind": t.def.list_kind,
        "apiVersion": t.def.api_version(),
        "metadata": meta,
        "items": page,
    }))
}

fn key_of(o: &Value) -> (String, String) {
    let s = |k: &str| {
        o.pointer(&format!("/metadata/{k}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (s("namespace"), s("name"))
}

fn decode_continue(tok: &str) -> Result<(String, String), ApiError> {
    let bad = || ApiError::bad_request("continue key is not valid");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(tok)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.splitn(3, '\n');
    let _rv = parts.next().ok_or_else(bad)?;
    let ns = parts.next().ok_or_else(bad)?.to_string();
    let name = parts.next().ok_or_else(bad)?.to_string();
    Ok((ns, name))
}
