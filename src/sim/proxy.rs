//! The API server's service proxy: `/api/v1/namespaces/{ns}/services/{svc}:{port}/proxy/…`
//! forwards to handlers registered for that service (the simulated world registers, e.g.,
//! Flagger's load tester). A service without a handler answers 503 as a real cluster does
//! for a service without endpoints.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::resources::{Target, get};
use super::server::{Req, Shared};
use super::status::ApiError;

#[derive(Debug, Clone)]
pub struct ProxyRequest {
    pub method: String,
    /// The path after `/proxy` (always starting with `/`).
    pub path: String,
    pub query: String,
    pub body: Bytes,
}

#[derive(Debug, Clone)]
pub struct ProxyResponse {
    pub status: u16,
    pub content_type: String,
    pub body: Bytes,
}

pub type ProxyHandler = Arc<dyn Fn(ProxyRequest) -> ProxyResponse + Send + Sync>;

/// Handlers by (namespace, service, port); an empty port matches any port and an empty
/// namespace any namespace.
#[derive(Default, Clone)]
pub struct ProxyRegistry {
    handlers: HashMap<(String, String, String), ProxyHandler>,
}

impl ProxyRegistry {
    pub fn register(&mut self, ns: &str, svc: &str, port: &str, h: ProxyHandler) {
        self.handlers
            .insert((ns.to_string(), svc.to_string(), port.to_string()), h);
    }

    pub fn find(&self, ns: &str, svc: &str, port: &str) -> Option<ProxyHandler> {
        let key = |p: &str| (ns.to_string(), svc.to_string(), p.to_string());
        let any_ns = |p: &str| (String::new(), svc.to_string(), p.to_string());
        self.handlers
            .get(&key(port))
            .or_else(|| self.handlers.get(&key("")))
            .or_else(|| self.handlers.get(&any_ns(port)))
            .or_else(|| self.handlers.get(&any_ns("")))
            .cloned()
    }
}

/// `[scheme:]name[:port]` as the proxy path names a service.
pub fn parse_service_ref(text: &str) -> (String, String) {
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        [name] => (name.to_string(), String::new()),
        [scheme, name, port] if matches!(*scheme, "http" | "https") => {
            (name.to_string(), port.to_string())
        }
        [scheme, name] if matches!(*scheme, "http" | "https") => (name.to_string(), String::new()),
        [name, port, ..] => (name.to_string(), port.to_string()),
        [] => (String::new(), String::new()),
    }
}

/// Forwards a request on `services/{svc}:{port}/proxy/...` to the registered handler.
pub async fn forward(sim: &Shared, req: &Req<'_>, t: &Target<'_>) -> Result<Response, ApiError> {
    if t.def.plural != "services" {
        return Err(ApiError::no_route(&req.path));
    }
    let raw = t.name.clone().unwrap_or_default();
    let (svc, port) = parse_service_ref(&raw);
    get(sim, t, &svc)?;
    let handler = sim
        .proxies
        .read()
        .map_err(|_| ApiError::internal("proxy registry poisoned"))?
        .find(&t.ns, &svc, &port)
        .ok_or_else(|| {
            ApiError::unavailable(format!("no endpoints available for service \"{raw}\""))
        })?;
    let answer = handler(ProxyRequest {
        method: req.method.to_string(),
        path: t.rest.clone(),
        query: req
            .query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&"),
        body: req.body.clone(),
    });
    let code = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    Ok((code, [("content-type", answer.content_type)], answer.body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_refs_parse() {
        assert_eq!(
            parse_service_ref("loadtester:80"),
            ("loadtester".into(), "80".into())
        );
        assert_eq!(
            parse_service_ref("loadtester"),
            ("loadtester".into(), String::new())
        );
        assert_eq!(
            parse_service_ref("http:lt:8080"),
            ("lt".into(), "8080".into())
        );
    }

    #[test]
    fn handlers_match_by_port_or_any() {
        let mut r = ProxyRegistry::default();
        let h: ProxyHandler = Arc::new(|_| ProxyResponse {
            status: 202,
            content_type: "text/plain".into(),
            body: Bytes::from_static(b"ok"),
        });
        r.register("test", "flagger-loadtester", "", h);
        assert!(r.find("test", "flagger-loadtester", "80").is_some());
        assert!(r.find("other", "flagger-loadtester", "80").is_none());
    }
}
