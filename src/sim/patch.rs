//! PATCH semantics (contract stub; implementation in progress).
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Merge,
    Json,
    Strategic,
}

impl PatchType {
    /// From the request's Content-Type; `None` for types the server does not support.
    pub fn from_content_type(_ct: &str) -> Option<Self> {
        None
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
    _target: &Value,
    _kind: PatchType,
    _body: &[u8],
    _strategic_allowed: bool,
) -> Result<Value, PatchError> {
    Err(PatchError::Unsupported("not yet".into()))
}
