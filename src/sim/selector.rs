//! Label and field selectors (contract stub; implementation in progress).
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabelSelector {}

impl LabelSelector {
    pub fn parse(_s: &str) -> Result<Self, String> {
        Ok(Self {})
    }
    pub fn matches(&self, _obj: &Value) -> bool {
        true
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldSelector {}

impl FieldSelector {
    pub fn parse(_s: &str, _kind: &str) -> Result<Self, String> {
        Ok(Self {})
    }
    pub fn matches(&self, _obj: &Value) -> bool {
        true
    }
}
