//! The HTTP side: one `reqwest` client per `[prometheus]` section, with its auth headers,
//! trust roots and timeout fixed at construction; each query is one request whose answer
//! goes through `convert::parse_response`.

use std::error::Error as StdError;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};

use super::PromError;
use super::convert::parse_response;
use crate::config::PrometheusConfig;
use crate::domain::metrics::prom::QueryData;

/// A Prometheus-compatible query API. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct PromClient {
    http: reqwest::Client,
    query_url: Url,
    range_url: Url,
    method: Method,
    timeout: Duration,
    insecure: bool,
    describe: String,
}

impl fmt::Debug for PromClient {
    // By hand: the default headers carry secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromClient")
            .field("url", &self.describe)
            .field("method", &self.method)
            .field("timeout", &self.timeout)
            .field("insecure", &self.insecure)
            .finish_non_exhaustive()
    }
}

impl PromClient {
    /// Builds the client; reads the token and password files once (a trailing newline is
    /// not part of the secret). Every problem is a [`PromError::Config`] naming its key.
    pub fn new(cfg: &PrometheusConfig) -> Result<Self, PromError> {
        // One TLS provider for the whole process (kube uses ring too); already installed
        // is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (base, url_credentials) = base_url(&cfg.url)?;
        let method = match cfg.method.trim().to_ascii_lowercase().as_str() {
            "post" | "" => Method::POST,
            "get" => Method::GET,
            other => {
                return Err(config(format!(
                    "prometheus.method must be \"post\" or \"get\", not \"{other}\""
                )));
            }
        };
        let timeout = cfg.timeout.0;
        if timeout.is_zero() {
            return Err(config(
                "prometheus.timeout must be more than 0s".to_string(),
            ));
        }
        let mut builder = reqwest::Client::builder()
            .default_headers(headers(cfg, url_credentials)?)
            .user_agent(concat!("shipdeck/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .connect_timeout(timeout);
        if let Some(path) = &cfg.ca_file {
            let pem = read_file(path, "ca_file")?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                config(format!(
                    "prometheus.ca_file {}: not a PEM bundle ({})",
                    path.display(),
                    root_cause(&e)
                ))
            })?;
            if certs.is_empty() {
                return Err(config(format!(
                    "prometheus.ca_file {}: no certificate in it",
                    path.display()
                )));
            }
            builder = builder.tls_certs_merge(certs);
        }
        if cfg.insecure_skip_verify {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let http = builder.build().map_err(|e| {
            config(format!(
                "cannot set up the HTTP client for prometheus.url: {}",
                root_cause(&e)
            ))
        })?;
        let describe = base.as_str().trim_end_matches('/').to_string();
        Ok(Self {
            http,
            query_url: endpoint(&base, "query"),
            range_url: endpoint(&base, "query_range"),
            method,
            timeout,
            insecure: cfg.insecure_skip_verify,
            describe,
        })
    }

    /// An instant query (`/api/v1/query`) at `time`, or the server's now.
    pub async fn query(
        &self,
        query: &str,
        time: Option<DateTime<Utc>>,
    ) -> Result<QueryData, PromError> {
        let mut params = vec![("query", query.to_string())];
        if let Some(t) = time {
            params.push(("time", unix_seconds(t)));
        }
        self.call(&self.query_url, &params).await
    }

    /// A range query (`/api/v1/query_range`): a matrix from `start` to `end` every `step`.
    pub async fn query_range(
        &self,
        query: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step: Duration,
    ) -> Result<QueryData, PromError> {
        let params = [
            ("query", query.to_string()),
            ("start", unix_seconds(start)),
            ("end", unix_seconds(end)),
            ("step", step.as_secs_f64().to_string()),
        ];
        self.call(&self.range_url, &params).await
    }

    /// The base URL without credentials, for the screen.
    pub fn describe(&self) -> String {
        self.describe.clone()
    }

    /// Certificates are not checked (`insecure_skip_verify`): the screen warns.
    pub fn insecure(&self) -> bool {
        self.insecure
    }

    async fn call(&self, url: &Url, params: &[(&str, String)]) -> Result<QueryData, PromError> {
        let request = if self.method == Method::GET {
            self.http.get(url.clone()).query(params)
        } else {
            self.http.post(url.clone()).form(params)
        };
        let response = request.send().await.map_err(|e| self.transport(&e))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| self.transport(&e))?;
        parse_response(status, &body)
    }

    fn transport(&self, e: &reqwest::Error) -> PromError {
        if e.is_timeout() {
            PromError::Timeout(self.timeout)
        } else {
            PromError::Unreachable(root_cause(e))
        }
    }
}

fn config(message: String) -> PromError {
    PromError::Config(message)
}

/// The configured URL, checked, and any `user:password@` taken out of it.
fn base_url(raw: &str) -> Result<(Url, Option<(String, String)>), PromError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(config("prometheus.url is empty".to_string()));
    }
    let mut url = Url::parse(raw).map_err(|e| {
        // Never echo a URL that may carry a password.
        let shown = if raw.contains('@') { "(hidden)" } else { raw };
        config(format!(
            "prometheus.url {shown} is not a URL ({e}); write e.g. \"http://prometheus:9090\""
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(config(format!(
            "prometheus.url must start with http:// or https://, not {}://",
            url.scheme()
        )));
    }
    let credentials = (!url.username().is_empty() || url.password().is_some()).then(|| {
        (
            percent_decode(url.username()),
            percent_decode(url.password().unwrap_or("")),
        )
    });
    // Both only fail for URLs that cannot have credentials (checked above: http(s)).
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_fragment(None);
    Ok((url, credentials))
}

/// `<base path>/api/v1/<name>`, whatever the base path ends with.
fn endpoint(base: &Url, name: &str) -> Url {
    let mut url = base.clone();
    let path = format!("{}/api/v1/{name}", base.path().trim_end_matches('/'));
    url.set_path(&path);
    url
}

/// The headers every request carries: `Accept`, the configured extra headers and the
/// credentials (marked sensitive, so they never show in debug output).
fn headers(
    cfg: &PrometheusConfig,
    url_credentials: Option<(String, String)>,
) -> Result<HeaderMap, PromError> {
    let mut map = HeaderMap::new();
    map.insert(ACCEPT, HeaderValue::from_static("application/json"));
    for (name, value) in &cfg.headers {
        let header = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            config(format!(
                "prometheus.headers: \"{name}\" is not a valid header name"
            ))
        })?;
        let mut value = HeaderValue::from_str(value.trim()).map_err(|_| {
            config(format!(
                "prometheus.headers.{name}: the value is not a valid header value"
            ))
        })?;
        value.set_sensitive(header == AUTHORIZATION);
        map.insert(header, value);
    }
    let auth = authorization(cfg, url_credentials)?;
    if let Some(mut value) = auth {
        if map.contains_key(AUTHORIZATION) {
            return Err(config(
                "prometheus.headers sets Authorization and so do the credentials: keep one"
                    .to_string(),
            ));
        }
        value.set_sensitive(true);
        map.insert(AUTHORIZATION, value);
    }
    Ok(map)
}

/// `Bearer <token>` or `Basic <user:password>`, from the files named in the config (or
/// the URL's `user:password@`).
fn authorization(
    cfg: &PrometheusConfig,
    url_credentials: Option<(String, String)>,
) -> Result<Option<HeaderValue>, PromError> {
    let basic = match (&cfg.basic_auth_user, &cfg.basic_auth_password_file) {
        (Some(_), _) if url_credentials.is_some() => {
            return Err(config(
                "prometheus.url carries user:password and basic_auth_user is set: keep one"
                    .to_string(),
            ));
        }
        (Some(user), Some(path)) => Some((user.clone(), secret(path, "basic_auth_password_file")?)),
        (Some(user), None) => Some((user.clone(), String::new())),
        (None, Some(_)) => {
            return Err(config(
                "prometheus.basic_auth_password_file is set but basic_auth_user is not".to_string(),
            ));
        }
        (None, None) => url_credentials,
    };
    match (&cfg.bearer_token_file, basic) {
        (Some(_), Some(_)) => Err(config(
            "prometheus: set bearer_token_file or basic auth, not both".to_string(),
        )),
        (Some(path), None) => {
            let token = secret(path, "bearer_token_file")?;
            if token.is_empty() {
                return Err(config(format!(
                    "prometheus.bearer_token_file {} is empty",
                    path.display()
                )));
            }
            HeaderValue::from_str(&format!("Bearer {token}"))
                .map(Some)
                .map_err(|_| {
                    config(format!(
                        "prometheus.bearer_token_file {}: the token has characters a header cannot carry",
                        path.display()
                    ))
                })
        }
        (None, Some((user, password))) => {
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            HeaderValue::from_str(&format!("Basic {encoded}"))
                .map(Some)
                .map_err(|_| config("prometheus: basic auth header is invalid".to_string()))
        }
        (None, None) => Ok(None),
    }
}

fn read_file(path: &Path, key: &str) -> Result<Vec<u8>, PromError> {
    std::fs::read(path).map_err(|e| {
        config(format!(
            "cannot read prometheus.{key} {}: {e}",
            path.display()
        ))
    })
}

/// A token or password file's content without its trailing newline.
fn secret(path: &Path, key: &str) -> Result<String, PromError> {
    let bytes = read_file(path, key)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| config(format!("prometheus.{key} {} is not UTF-8", path.display())))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

/// `%XX` escapes of a URL's user info, decoded.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Unix seconds with millisecond decimals, as the API takes them: `1732600000.123`.
fn unix_seconds(t: DateTime<Utc>) -> String {
    let ms = t.timestamp_millis();
    format!("{}.{:03}", ms.div_euclid(1000), ms.rem_euclid(1000))
}

/// The innermost cause of a transport error, worded for the status line: "connection
/// refused", "TLS handshake failed: invalid peer certificate: UnknownIssuer", ...
fn root_cause(e: &(dyn StdError + 'static)) -> String {
    let chain = causes(e);
    if let Some(t) = chain.iter().find_map(|c| c.downcast_ref::<rustls::Error>()) {
        let hint = match t {
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
                " (set prometheus.ca_file to the CA that signed it)"
            }
            _ => "",
        };
        return format!("TLS handshake failed: {t}{hint}");
    }
    let Some(last) = chain.last() else {
        return e.to_string();
    };
    match last.downcast_ref::<std::io::Error>() {
        // "connection refused" rather than "Connection refused (os error 111)".
        Some(io) if io.raw_os_error().is_some() => io.kind().to_string(),
        _ => last.to_string(),
    }
}

/// `e` and its sources, outermost first. `io::Error::source` skips the error it wraps
/// (TLS failures arrive as an `io::Error` inside an `io::Error`): look inside instead.
fn causes<'a>(e: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        out.push(err);
        next = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => err.source(),
        };
    }
    out
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
