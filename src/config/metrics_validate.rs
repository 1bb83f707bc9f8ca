//! Validation of `[prometheus]`, `[queries]`, `[rules]` and `[[services]]`: what serde
//! cannot express. Each problem is (dotted key, message saying what to write instead).
//!
//! The URL and header checks are written here rather than borrowed from `reqwest` (the
//! config module may not use it, see the architecture table); the Prometheus adapter parses
//! the URL again with `reqwest::Url` when it builds its client.

use std::collections::BTreeMap;
use std::time::Duration;

use super::{PrometheusConfig, QueriesConfig, RulesConfig, ServiceConfig, keyed_query_set};
use crate::config::is_dns_label;

type Checked = Result<(), (String, String)>;

fn fail(key: impl Into<String>, message: impl Into<String>) -> Checked {
    Err((key.into(), message.into()))
}

/// Checks the metrics sections; the first problem found, as (dotted key, message).
pub fn validate(
    prom: &PrometheusConfig,
    queries: &QueriesConfig,
    rules: &RulesConfig,
    services: &[ServiceConfig],
) -> Checked {
    prometheus(prom)?;
    keyed_query_set(prom, queries)?;
    rules_section(rules)?;
    services_section(services)
}

fn prometheus(p: &PrometheusConfig) -> Checked {
    if !p.url.is_empty() {
        base_url(p.url.trim()).or_else(|why| {
            let shown = if p.url.contains('@') {
                "the URL (hidden: it may carry a password)".to_string()
            } else {
                format!("\"{}\"", p.url)
            };
            fail(
                "prometheus.url",
                format!(
                    "{shown} is not an http(s) URL: {why}; write e.g. \
                     \"http://prometheus:9090\" or \"https://mimir.example/prometheus\", \
                     or \"\" to turn metrics off"
                ),
            )
        })?;
    }
    if !matches!(p.method.as_str(), "get" | "post") {
        fail(
            "prometheus.method",
            format!(
                "\"{}\" is not a method; expected \"post\" or \"get\"",
                p.method
            ),
        )?;
    }
    at_least(
        p.timeout.0,
        Duration::from_millis(100),
        "prometheus.timeout",
        "100ms",
    )?;
    at_least(
        p.interval.0,
        Duration::from_secs(1),
        "prometheus.interval",
        "1s",
    )?;
    for (name, value) in &p.headers {
        let key = format!("prometheus.headers.{name}");
        if !is_header_name(name.trim()) {
            fail(
                &key,
                format!(
                    "\"{name}\" is not a valid header name; use letters, digits and \
                     !#$%&'*+-.^_`|~ only, e.g. \"X-Scope-OrgID\""
                ),
            )?;
        }
        if !value
            .bytes()
            .all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
        {
            fail(
                &key,
                "the value has characters a header cannot carry (control characters, \
                 newlines or non-ASCII)",
            )?;
        }
    }
    match (&p.basic_auth_user, &p.basic_auth_password_file) {
        (Some(_), None) => fail(
            "prometheus.basic_auth_user",
            "needs prometheus.basic_auth_password_file too (a file holding the password)",
        )?,
        (None, Some(_)) => fail(
            "prometheus.basic_auth_password_file",
            "needs prometheus.basic_auth_user too",
        )?,
        (Some(_), Some(_)) if url_has_credentials(&p.url) => fail(
            "prometheus.basic_auth_user",
            "prometheus.url carries user:password as well; keep one of the two",
        )?,
        _ => {}
    }
    if p.bearer_token_file.is_some() && (p.basic_auth_user.is_some() || url_has_credentials(&p.url))
    {
        fail(
            "prometheus.bearer_token_file",
            "set either a bearer token or basic auth (basic_auth_user or user:password in \
             the URL), not both",
        )?;
    }
    Ok(())
}

fn at_least(d: Duration, min: Duration, key: &str, shown: &str) -> Checked {
    if d < min {
        return fail(
            key,
            format!(
                "{} is too short; expected at least {shown}",
                humantime::format_duration(d)
            ),
        );
    }
    Ok(())
}

/// `http(s)://[user[:password]@]host[:port][/path][?query][#fragment]`, the host a name,
/// an IPv4 address or a bracketed IPv6 address.
fn base_url(url: &str) -> Result<(), String> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains whitespace".to_string());
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = ["http://", "https://"]
        .iter()
        .find_map(|s| lower.strip_prefix(s))
    else {
        return Err("it must start with http:// or https://".to_string());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        let (inside, after) = v6
            .split_once(']')
            .ok_or_else(|| "an IPv6 host lacks its closing ']'".to_string())?;
        if inside.is_empty()
            || !inside
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(format!("[{inside}] is not an IPv6 address"));
        }
        match after.strip_prefix(':') {
            Some(port) => ("v6", Some(port)),
            None if after.is_empty() => ("v6", None),
            None => return Err("unexpected text after the IPv6 host".to_string()),
        }
    } else {
        match host_port.split_once(':') {
            Some((h, port)) => (h, Some(port)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return Err("it has no host".to_string());
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
    {
        return Err(format!("\"{host}\" is not a host name"));
    }
    if let Some(port) = port.filter(|p| !p.is_empty())
        && port.parse::<u16>().is_err()
    {
        return Err(format!("\"{port}\" is not a port (1-65535)"));
    }
    Ok(())
}

fn url_has_credentials(url: &str) -> bool {
    let rest = url.split_once("://").map_or("", |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .is_some_and(|authority| authority.contains('@'))
}

/// An HTTP field name: one or more `tchar`s (RFC 9110).
fn is_header_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn rules_section(r: &RulesConfig) -> Checked {
    growth("rules.error_ratio_growth", r.error_ratio_growth)?;
    growth("rules.latency_growth", r.latency_growth)?;
    ratio_floor("rules.error_ratio_floor", r.error_ratio_floor)?;
    for (key, n) in [
        ("rules.breach_intervals", r.breach_intervals),
        ("rules.clear_intervals", r.clear_intervals),
    ] {
        if n == 0 {
            fail(key, "must be at least 1 (a count of query intervals)")?;
        }
    }
    at_least(r.window.0, Duration::from_secs(1), "rules.window", "1s")?;
    at_least(r.before.0, Duration::from_secs(1), "rules.before", "1s")
}

fn growth(key: &str, v: f64) -> Checked {
    if !(v.is_finite() && v > 0.0) {
        return fail(
            key,
            format!("{v} must be more than 0 (a fraction: 0.10 = 10 % growth)"),
        );
    }
    Ok(())
}

fn ratio_floor(key: &str, v: f64) -> Checked {
    if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
        return fail(
            key,
            format!("{v} is out of range; expected 0 to 100 percentage points (0.5 = 0.5 %)"),
        );
    }
    Ok(())
}

fn services_section(services: &[ServiceConfig]) -> Checked {
    let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (i, s) in services.iter().enumerate() {
        let at = |field: &str| format!("services[{i}].{field}");
        for (field, value) in [("namespace", &s.namespace), ("name", &s.name)] {
            if value.is_empty() {
                fail(
                    at(field),
                    "is missing; each [[services]] entry needs namespace and name",
                )?;
            }
            if !is_dns_label(value) {
                fail(
                    at(field),
                    format!(
                        "\"{value}\" is not a Kubernetes name; expected lower-case letters, \
                         digits and '-' (at most 63)"
                    ),
                )?;
            }
        }
        if let Some(first) = seen.insert((&s.namespace, &s.name), i) {
            fail(
                at("name"),
                format!(
                    "{}/{} is already configured by services[{first}]; merge the two entries",
                    s.namespace, s.name
                ),
            )?;
        }
        if let Some(v) = s.error_ratio_growth {
            growth(&at("error_ratio_growth"), v)?;
        }
        if let Some(v) = s.latency_growth {
            growth(&at("latency_growth"), v)?;
        }
        if let Some(v) = s.error_ratio_floor {
            ratio_floor(&at("error_ratio_floor"), v)?;
        }
    }
    Ok(())
}
