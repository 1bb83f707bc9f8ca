//! The HTTP underneath [`UnleashClient`]: requests with the token and timeout, answers
//! turned into [`UnleashError`]s (401, 403, a 404 diagnosed with the project's overview,
//! transport failures), and nothing shown that could carry the token.

use std::error::Error as StdError;

use reqwest::header::{CONTENT_TYPE, ETAG};
use reqwest::{Method, StatusCode, Url};

use super::UnleashError;
use super::client::UnleashClient;
use super::convert::{Overview, segment, unsegment};

pub(super) enum Got {
    Body {
        etag: Option<String>,
        bytes: Vec<u8>,
    },
    NotModified,
}

/// What a 404 was about.
#[derive(Default)]
pub(super) struct Target {
    pub feature: Option<String>,
    pub environment: Option<String>,
}

impl UnleashClient {
    /// An empty feature list is also what an unknown project gives: ask its overview.
    pub(super) async fn check_project(&self) -> Result<(), UnleashError> {
        match self.overview().await {
            Some(Err(e)) => Err(e),
            Some(Ok(known)) => match self.environments.iter().find(|e| !known.contains(e)) {
                Some(env) => Err(self.unknown(env, &known)),
                None => Ok(()),
            },
            None => Ok(()),
        }
    }

    pub(super) async fn unknown_environment(&self, env: &str) -> UnleashError {
        match self.overview().await {
            Some(Ok(known)) => self.unknown(env, &known),
            Some(Err(e)) => e,
            None => UnleashError::UnknownEnvironment {
                project: self.project.clone(),
                environment: env.to_string(),
                known: "environments shipdeck could not read".to_string(),
            },
        }
    }

    fn unknown(&self, env: &str, known: &[String]) -> UnleashError {
        UnleashError::UnknownEnvironment {
            project: self.project.clone(),
            environment: env.to_string(),
            known: if known.is_empty() {
                "none".to_string()
            } else {
                known
                    .iter()
                    .map(|k| format!("\"{k}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        }
    }

    /// The environments enabled in the project; `Err(UnknownProject)` on 404; `None`
    /// when the overview cannot be read.
    pub(super) async fn overview(&self) -> Option<Result<Vec<String>, UnleashError>> {
        let path = format!("/api/admin/projects/{}/overview", segment(&self.project));
        match self.get_raw(&path, None).await.ok()? {
            (StatusCode::NOT_FOUND, _) => Some(Err(UnleashError::UnknownProject {
                project: self.project.clone(),
            })),
            (s, Got::Body { bytes, .. }) if s.is_success() => {
                let o: Overview = serde_json::from_slice(&bytes).ok()?;
                Some(Ok(o
                    .environments
                    .into_iter()
                    .map(|e| e.environment)
                    .collect()))
            }
            _ => None,
        }
    }

    pub(super) async fn get(
        &self,
        path: &str,
        etag: Option<&str>,
        action: &str,
        target: &Target,
    ) -> Result<Got, UnleashError> {
        let (status, got) = self.get_raw(path, etag).await?;
        match got {
            Got::Body { bytes, .. } if !status.is_success() => {
                Err(self.status_error(status, &bytes, action, target).await)
            }
            got => Ok(got),
        }
    }

    pub(super) async fn get_raw(
        &self,
        path: &str,
        etag: Option<&str>,
    ) -> Result<(StatusCode, Got), UnleashError> {
        let response = self.request(Method::GET, path, etag, None, None).await?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok((status, Got::NotModified));
        }
        let etag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = response.bytes().await.map_err(|e| self.transport(&e))?;
        Ok((
            status,
            Got::Body {
                etag,
                bytes: bytes.to_vec(),
            },
        ))
    }

    pub(super) async fn request(
        &self,
        method: Method,
        path: &str,
        etag: Option<&str>,
        content_type: Option<&str>,
        body: Option<String>,
    ) -> Result<reqwest::Response, UnleashError> {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(etag) = etag {
            r = r.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        if let Some(ct) = content_type {
            r = r.header(CONTENT_TYPE, ct);
        }
        if let Some(body) = body {
            r = r.body(body);
        }
        r.send().await.map_err(|e| self.transport(&e))
    }

    pub(super) async fn status_error(
        &self,
        status: StatusCode,
        body: &[u8],
        action: &str,
        target: &Target,
    ) -> UnleashError {
        let file = self.token_file.clone();
        let excerpt = self.excerpt(body);
        match status.as_u16() {
            401 => UnleashError::Unauthorized { file },
            403 => UnleashError::Forbidden {
                file,
                action: action.to_string(),
                detail: if excerpt.is_empty() {
                    String::new()
                } else {
                    format!(": {excerpt}")
                },
            },
            404 => {
                let known = match self.overview().await {
                    Some(Ok(known)) => known,
                    Some(Err(e)) => return e,
                    None => Vec::new(),
                };
                match (&target.environment, &target.feature) {
                    (Some(env), _) if !known.is_empty() && !known.contains(env) => {
                        self.unknown(env, &known)
                    }
                    (_, Some(feature)) if !known.is_empty() => UnleashError::UnknownFeature {
                        project: self.project.clone(),
                        feature: feature.clone(),
                    },
                    _ => self.http_error(404, action, excerpt),
                }
            }
            s => self.http_error(s, action, excerpt),
        }
    }

    fn http_error(&self, status: u16, action: &str, excerpt: String) -> UnleashError {
        UnleashError::Http {
            status,
            what: action.to_string(),
            excerpt,
        }
    }

    pub(super) fn parse<T: serde::de::DeserializeOwned>(
        &self,
        bytes: &[u8],
        what: &str,
    ) -> Result<T, UnleashError> {
        serde_json::from_slice(bytes).map_err(|e| UnleashError::Garbage {
            what: what.to_string(),
            reason: self.scrub(&e.to_string()),
        })
    }

    /// The server's `message`, else the start of the body; never the token.
    fn excerpt(&self, body: &[u8]) -> String {
        let message = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| {
                v.get("message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            });
        let text = message.unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let short: String = text.chars().take(200).collect();
        self.scrub(&short)
    }

    fn scrub(&self, text: &str) -> String {
        let mut out = text.replace(&self.token, "(token)");
        if let Some((_, secret)) = self.token.rsplit_once('.').filter(|(_, s)| s.len() >= 8) {
            out = out.replace(secret, "(token)");
        }
        out
    }

    pub(super) fn transport(&self, e: &reqwest::Error) -> UnleashError {
        let url = self.base.clone();
        let io = io_kind(e);
        if e.is_timeout() || io == Some(std::io::ErrorKind::TimedOut) {
            UnleashError::Timeout {
                url,
                timeout: self.timeout,
            }
        } else if io == Some(std::io::ErrorKind::ConnectionRefused) {
            UnleashError::Refused { url }
        } else {
            UnleashError::Unreachable {
                url,
                reason: self.scrub(&root_cause(e)),
            }
        }
    }
}

/// The feature and environment a toggle path names, and the action in words.
pub(super) fn describe_path(path: &str) -> (Target, String) {
    let parts: Vec<&str> = path.split('/').collect();
    let after = |key: &str| {
        parts
            .iter()
            .position(|p| *p == key)
            .and_then(|i| parts.get(i + 1))
            .map(|s| unsegment(s))
    };
    let feature = after("features");
    let environment = after("environments");
    let on = parts.last().copied().unwrap_or("");
    let action = format!(
        "turn feature \"{}\" {on} in environment \"{}\"",
        feature.as_deref().unwrap_or("?"),
        environment.as_deref().unwrap_or("?")
    );
    (
        Target {
            feature,
            environment,
        },
        action,
    )
}

/// The configured URL, checked: http(s), no credentials in it, no trailing slash.
pub(super) fn base_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let url = Url::parse(raw).map_err(|e| {
        let shown = if raw.contains('@') { "(hidden)" } else { raw };
        format!("the Unleash URL {shown} is not a URL ({e}); write e.g. \"http://unleash:4242\"")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "the Unleash URL must start with http:// or https://, not {}://",
            url.scheme()
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the Unleash URL must not carry credentials: the token file does".to_string());
    }
    let mut base = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        base.push_str(&format!(":{port}"));
    }
    base.push_str(url.path().trim_end_matches('/'));
    Ok(base)
}

fn io_kind(e: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = s.source();
    }
    None
}

pub(super) fn root_cause(e: &reqwest::Error) -> String {
    let mut last: &dyn StdError = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}
