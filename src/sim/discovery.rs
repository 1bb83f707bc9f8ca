//! Discovery documents (contract stub; implementation in progress).
use serde_json::Value;

use super::crds::Catalog;

pub fn version_info() -> Value {
    Value::Null
}
pub fn core_api_versions() -> Value {
    Value::Null
}
pub fn api_group_list(_c: &Catalog) -> Value {
    Value::Null
}
pub fn api_resource_list(_c: &Catalog, _group: &str, _version: &str) -> Option<Value> {
    None
}
