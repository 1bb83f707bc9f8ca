//! CRD schema validation (contract stub; implementation in progress).
use serde_json::Value;

use super::catalog::ResourceDef;

/// Ok, or the field errors in the words a real API server uses.
pub fn validate(_def: &ResourceDef, _obj: &Value) -> Result<(), Vec<String>> {
    Ok(())
}
