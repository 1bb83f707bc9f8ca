//! `config.example.toml` loads as shipped and with every commented setting enabled, and
//! it documents every key the config knows. Plus the `config` subcommands end to end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;

use shipdeck::config::{self, Config, EnvLookup};

fn example() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml"))
        .unwrap()
}

/// `#key = value` and `#[table]` lines are commented-out settings; `# text` is prose.
fn enable_all(text: &str) -> String {
    text.lines()
        .map(|l| match l.strip_prefix('#') {
            Some(rest) if !rest.starts_with(' ') && !rest.is_empty() && !rest.starts_with('#') => {
                rest
            }
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn leaves(prefix: &str, v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&key, v, out);
            }
        }
        _ => out.push(prefix.to_string()),
    }
}

#[test]
fn the_example_loads_as_shipped() {
    let (c, _) = config::parse("config.example.toml", &example()).unwrap();
    assert_eq!(c, Config::default(), "the enabled values are the defaults");
}

#[test]
fn the_example_loads_with_every_commented_setting_enabled() {
    let all = enable_all(&example());
    let (c, _) = config::parse("config.example.toml (all enabled)", &all).unwrap();
    assert!(c.contexts["prod-eu"].read_only);
    assert_eq!(
        c.contexts["prod-eu"].namespaces,
        ["casino-prod", "payments"]
    );
    assert_eq!(
        c.log.path.as_deref(),
        Some(Path::new("/var/tmp/shipdeck.log"))
    );
    assert_eq!(c.keys["rollout"]["ctrl-a"], "approve");
    // Metrics: a Mimir tenant, the sim templates spelled out, one critical service.
    assert!(c.prometheus.enabled());
    assert_eq!(c.prometheus.url, "https://mimir.example/prometheus");
    assert_eq!(c.prometheus.headers["X-Scope-OrgID"], "casino");
    let q = c.query_set().unwrap();
    let sim = shipdeck::domain::metrics::templates::QuerySet::preset(
        shipdeck::domain::metrics::templates::Preset::Sim,
    )
    .unwrap();
    assert_eq!(q, sim, "the example templates are the sim preset's");
    assert_eq!(c.services.len(), 1);
    assert!(shipdeck::config::metrics::is_critical(
        &c.services,
        "casino-prod",
        "payments"
    ));
    let t = c
        .rules
        .thresholds_for(&c.services, "casino-prod", "payments");
    assert!((t.error_ratio_floor - 0.002).abs() < 1e-12);
    assert!((t.latency_floor - 0.010).abs() < 1e-12);
    shipdeck::input::KeyMap::with_overrides(&c.keys).unwrap();
    // Every key the config knows is in the file, enabled.
    let mut full = Config::default();
    full.log.path = Some("/x".into());
    let mut known = Vec::new();
    leaves("", &toml::Value::try_from(&full).unwrap(), &mut known);
    let parsed: toml::Value = toml::from_str(&all).unwrap();
    let mut present = Vec::new();
    leaves("", &parsed, &mut present);
    for key in known {
        assert!(
            present.contains(&key),
            "config.example.toml does not document `{key}`"
        );
    }
    for key in ["read_only", "namespaces"] {
        assert!(present.iter().any(|k| k.ends_with(key)), "{key}");
    }
    // Optional keys that cannot all be enabled at once (basic auth beside a bearer token,
    // the labels of other identities) are documented in prose: each is named as `key = `.
    let mut every = Config::default();
    let p = &mut every.prometheus;
    p.bearer_token_file = Some("/t".into());
    p.basic_auth_user = Some("u".into());
    p.basic_auth_password_file = Some("/p".into());
    p.ca_file = Some("/c".into());
    let some = || Some("x".to_string());
    every.queries = config::QueriesConfig {
        request_rate: some(),
        error_ratio: some(),
        latency_p95: some(),
        latency_p99: some(),
        identity: some(),
        namespace_label: some(),
        workload_label: some(),
        track_label: some(),
        service_label: some(),
        hash_label: some(),
    };
    let mut optional = Vec::new();
    leaves("", &toml::Value::try_from(&every).unwrap(), &mut optional);
    let text = example();
    let sections = ["prometheus.", "queries."];
    for key in optional
        .iter()
        .filter(|k| sections.iter().any(|s| k.starts_with(s)))
    {
        let leaf = key.rsplit('.').next().unwrap();
        assert!(
            text.contains(&format!("{leaf} = ")),
            "config.example.toml does not mention `{key}`"
        );
    }
}

fn shipdeck(args: &[&str], env: &[(&str, &Path)]) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(common::BIN);
    cmd.args(args).env_clear();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn config_validate_and_show_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let ex = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let (code, out, _) = shipdeck(
        &["config", "validate", ex.to_str().unwrap()],
        &[("HOME", home)],
    );
    assert_eq!(code, Some(0));
    assert!(out.contains("valid"), "{out}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[ui]\ntheme = \"light\"\nrefresh = \"soon\"\n").unwrap();
    let (code, out, err) = shipdeck(
        &["config", "validate", bad.to_str().unwrap()],
        &[("HOME", home)],
    );
    assert_eq!(code, Some(2));
    assert!(out.is_empty());
    assert!(
        err.contains("bad.toml:3:11") && err.contains("`ui.refresh`"),
        "{err}"
    );

    // Keymap and theme problems are config errors too, pointing at their line.
    std::fs::write(&bad, "[ui]\ntheme = \"neon\"\n").unwrap();
    let (code, _, err) = shipdeck(
        &["config", "validate", bad.to_str().unwrap()],
        &[("HOME", home)],
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("bad.toml:2:1") && err.contains("`ui.theme`") && err.contains("neon"),
        "{err}"
    );
    std::fs::write(&bad, "[keys.alerts]\nt = \"acknowledge\"\n").unwrap();
    let (code, _, err) = shipdeck(
        &["config", "validate", bad.to_str().unwrap()],
        &[("HOME", home)],
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("bad.toml:2:1") && err.contains("dangerous"),
        "{err}"
    );

    // A missing file named explicitly is an error; no file at all means defaults.
    let (code, _, err) = shipdeck(
        &["config", "validate", "/nonexistent/c.toml"],
        &[("HOME", home)],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("/nonexistent/c.toml"), "{err}");
    let (code, out, _) = shipdeck(&["config", "validate"], &[("HOME", home)]);
    assert_eq!(code, Some(0));
    assert!(out.contains("built-in defaults"), "{out}");

    // show: found via XDG, each value with its origin, the flag override named.
    let xdg = dir.path().join("xdg");
    std::fs::create_dir_all(xdg.join("shipdeck")).unwrap();
    std::fs::write(xdg.join("shipdeck/config.toml"), "[ui]\nmax_fps = 20\n").unwrap();
    let (code, out, err) = shipdeck(
        &["config", "show", "--theme", "light"],
        &[("HOME", home), ("XDG_CONFIG_HOME", &xdg)],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("found via $XDG_CONFIG_HOME"), "{out}");
    assert!(out.contains("max_fps = 20  # from "), "{out}");
    assert!(out.contains("theme = \"light\"  # from --theme"), "{out}");
    assert!(out.contains("refresh = \"1s\"  # default"), "{out}");
}

#[test]
fn env_lookup_uses_shipdeck_config() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("c.toml");
    std::fs::write(&p, "[ui]\ntheme = \"light\"\n").unwrap();
    let env = EnvLookup {
        shipdeck_config: Some(p.clone()),
        ..EnvLookup::default()
    };
    let loaded = config::load(None, &env).unwrap();
    assert_eq!(loaded.config.ui.theme, "light");
    assert_eq!(loaded.file.unwrap().0, p);
}

#[test]
fn help_and_version() {
    let (code, out, _) = shipdeck(&["--help"], &[]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("--readonly") && out.contains("Example") && out.contains("config validate"),
        "{out}"
    );
    let (code, out, _) = shipdeck(&["--version"], &[]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("shipdeck "), "{out}");
    let (code, _, err) = shipdeck(&["--frobnicate"], &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--frobnicate"), "{err}");
}
