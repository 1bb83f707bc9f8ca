//! The HTTP half of the action executor: one request exactly as a plan says it (verb, path,
//! `Content-Type`, JSON body), and the API server's answer in words for the operator.
//! Nothing here records a header: the audit gets verb, path, content type and body only.

// The `http` crate (kube's request type), as axum re-exports it.
use axum::http;
use serde_json::Value;

/// A request that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The API server answered with an error code; the message is its `Status` message
    /// when the body is one.
    Api { code: u16, message: String },
    /// No answer: connection refused, TLS, a broken body.
    Transport(String),
    /// The request could not be built (a path that is not a URI).
    Invalid(String),
}

impl Failure {
    pub fn code(&self) -> Option<u16> {
        match self {
            Self::Api { code, .. } => Some(*code),
            Self::Transport(_) | Self::Invalid(_) => None,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Api { code, message } => write!(f, "{code}: {message}"),
            Self::Transport(e) => write!(f, "cannot reach the API server: {e}"),
            Self::Invalid(e) => write!(f, "cannot build the request: {e}"),
        }
    }
}

/// Sends one request and returns the answer's JSON (`Null` when empty). Any 2xx is success.
pub async fn send(
    client: &kube::Client,
    verb: &str,
    path: &str,
    content_type: Option<&str>,
    body: Option<&Value>,
) -> Result<Value, Failure> {
    let bytes = match body {
        Some(b) => serde_json::to_vec(b).map_err(|e| Failure::Invalid(e.to_string()))?,
        None => Vec::new(),
    };
    let mut builder = http::Request::builder()
        .method(verb)
        .uri(path)
        .header("accept", "application/json");
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    let request = builder
        .body(kube::client::Body::from(bytes))
        .map_err(|e| Failure::Invalid(e.to_string()))?;
    let response = client
        .send(request)
        .await
        .map_err(|e| Failure::Transport(e.to_string()))?;
    let code = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect_bytes()
        .await
        .map_err(|e| Failure::Transport(e.to_string()))?;
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).trim().to_string()))
    };
    if (200..300).contains(&code) {
        Ok(value)
    } else {
        Err(Failure::Api {
            code,
            message: message_of(&value, code),
        })
    }
}

/// `GET path`.
pub async fn get(client: &kube::Client, path: &str) -> Result<Value, Failure> {
    send(client, "GET", path, None, None).await
}

/// The `Status` message of an error body, else its text, else the code's words.
fn message_of(body: &Value, code: u16) -> String {
    let status_message = body
        .get("message")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty() && body.get("kind").and_then(Value::as_str) == Some("Status"));
    match (status_message, body) {
        (Some(m), _) => m.to_string(),
        (None, Value::String(text)) if !text.is_empty() => text.chars().take(300).collect(),
        _ => http::StatusCode::from_u16(code)
            .ok()
            .and_then(|c| c.canonical_reason())
            .unwrap_or("no message")
            .to_string(),
    }
}

/// What a request path is about: (namespace, plural, name, subresource).
fn parts_of(path: &str) -> (&str, &str, &str, &str) {
    let path = path.split('?').next().unwrap_or(path);
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let rest = match segs.as_slice() {
        ["api", _, rest @ ..] | ["apis", _, _, rest @ ..] => rest,
        _ => &[],
    };
    let at = |i: usize| rest.get(i).copied().unwrap_or("");
    match rest {
        ["namespaces", _, _, ..] => (at(1), at(2), at(3), at(4)),
        _ => ("", at(0), at(1), at(2)),
    }
}

/// `patch rollouts/status`: the RBAC verb and resource of a request, as the operator
/// reads it in "no permission (…)".
pub fn need_of(verb: &str, path: &str) -> String {
    let (_, plural, name, sub) = parts_of(path);
    let verb = match (verb.to_ascii_uppercase().as_str(), name.is_empty()) {
        ("GET", true) => "list".to_string(),
        ("GET", false) => "get".to_string(),
        ("POST", _) => "create".to_string(),
        ("PUT", _) => "update".to_string(),
        (other, _) => other.to_ascii_lowercase(),
    };
    if sub.is_empty() {
        format!("{verb} {plural}")
    } else {
        format!("{verb} {plural}/{sub}")
    }
}

/// A failed request in the operator's words (PROTOCOLS.md's error mapping).
pub fn describe(verb: &str, path: &str, failure: &Failure) -> String {
    let Failure::Api { code, message } = failure else {
        return failure.to_string();
    };
    match code {
        403 => format!("no permission ({}): {message}", need_of(verb, path)),
        409 => format!("conflict: {message}; review and try again"),
        404 => {
            let (ns, _, name, _) = parts_of(path);
            let object = if ns.is_empty() {
                name.to_string()
            } else {
                format!("{ns}/{name}")
            };
            format!("{object} not found: {message}")
        }
        _ => failure.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const RO: &str = "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/payments";

    fn api(code: u16, message: &str) -> Failure {
        Failure::Api {
            code,
            message: message.into(),
        }
    }

    #[test]
    fn failures_read_as_the_operator_needs_them() {
        let status = format!("{RO}/status");
        assert_eq!(
            describe("PATCH", &status, &api(403, "denied")),
            "no permission (patch rollouts/status): denied"
        );
        assert_eq!(
            describe(
                "PATCH",
                "/apis/argoproj.io/v1alpha1/namespaces/prod/analysisruns/x",
                &api(403, "no")
            ),
            "no permission (patch analysisruns): no"
        );
        assert_eq!(
            describe("GET", RO, &api(403, "no")),
            "no permission (get rollouts): no"
        );
        assert_eq!(
            describe("PATCH", RO, &api(409, "modified")),
            "conflict: modified; review and try again"
        );
        assert_eq!(
            describe("PATCH", RO, &api(404, "gone")),
            "prod/payments not found: gone"
        );
        assert_eq!(describe("PATCH", RO, &api(500, "boom")), "500: boom");
        assert_eq!(
            describe("PATCH", RO, &Failure::Transport("refused".into())),
            "cannot reach the API server: refused"
        );
        assert_eq!(
            need_of(
                "GET",
                "/apis/apps/v1/namespaces/prod/replicasets?labelSelector=a"
            ),
            "list replicasets"
        );
        assert_eq!(
            need_of(
                "POST",
                "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
            ),
            "create selfsubjectaccessreviews"
        );
    }

    #[test]
    fn messages_come_from_a_status_body_only() {
        let status = json!({"kind": "Status", "message": "nope", "code": 403});
        assert_eq!(message_of(&status, 403), "nope");
        assert_eq!(message_of(&json!({"message": "x"}), 502), "Bad Gateway");
        assert_eq!(message_of(&json!("upstream down"), 503), "upstream down");
        assert_eq!(message_of(&Value::Null, 418), "I'm a teapot");
    }
}
