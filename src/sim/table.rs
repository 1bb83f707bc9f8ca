//! metav1 Tables for `kubectl get` (contract stub; implementation in progress).
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::catalog::{PrinterColumn, ResourceDef};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    None,
    Metadata,
    Object,
}

impl IncludeObject {
    pub fn from_query(_v: Option<&str>) -> Self {
        Self::Metadata
    }
}

pub fn table(_def: &ResourceDef, _objects: &[Value], _include: IncludeObject, _rv: &str, _now: DateTime<Utc>) -> Value {
    Value::Null
}

pub fn builtin_columns(_plural: &str) -> Vec<PrinterColumn> {
    Vec::new()
}

pub fn eval_json_path(_obj: &Value, _path: &str) -> Option<Value> {
    None
}
