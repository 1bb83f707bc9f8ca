//! Builders for the objects scenarios are made of.

use serde_json::{Value, json};

pub const REGISTRY: &str = "registry.casino.example";

pub fn image(name: &str, tag: &str) -> String {
    format!("{REGISTRY}/{name}:{tag}")
}

pub fn namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
}

fn labels(app: &str, critical: bool) -> Value {
    let mut l = json!({"app": app, "app.kubernetes.io/part-of": "casino"});
    if critical {
        l["shipdeck.io/critical"] = json!("true");
    }
    l
}

fn template(app: &str, image: &str) -> Value {
    json!({
        "metadata": {"labels": {"app": app}},
        "spec": {"containers": [{
            "name": app,
            "image": image,
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
        }]},
    })
}

pub fn service(ns: &str, name: &str, app: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": app}},
        "spec": {
            "type": "ClusterIP",
            "selector": {"app": app},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}],
        },
    })
}

pub fn deployment(ns: &str, name: &str, image: &str, replicas: u32) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": labels(name, false)},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": template(name, image),
        },
    })
}

/// A canary Rollout; `steps` in Argo's shape.
pub fn canary_rollout(
    ns: &str,
    name: &str,
    image: &str,
    replicas: u32,
    steps: Value,
    critical: bool,
) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": name, "namespace": ns, "labels": labels(name, critical)},
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 3,
            "selector": {"matchLabels": {"app": name}},
            "template": template(name, image),
            "strategy": {"canary": {"steps": steps}},
        },
    })
}

pub fn bluegreen_rollout(ns: &str, name: &str, image: &str, replicas: u32) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": name, "namespace": ns, "labels": labels(name, false)},
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 3,
            "selector": {"matchLabels": {"app": name}},
            "template": template(name, image),
            "strategy": {"blueGreen": {
                "activeService": format!("{name}-active"),
                "previewService": format!("{name}-preview"),
                "autoPromotionEnabled": false,
                "scaleDownDelaySeconds": 30,
            }},
        },
    })
}

/// The success-rate analysis the game engine's canary runs (≥ 99 %), in the query shape
/// the simulator's Prometheus endpoint and a real Prometheus both answer.
pub fn success_rate_template(ns: &str) -> Value {
    let sel = "namespace=\"{{args.namespace}}\",rollout=\"{{args.rollout}}\",track=\"canary\"";
    let query = format!(
        "sum by (namespace, rollout, track) (rate(http_requests_total{{{sel},code!~\"5..\"}}[1m])) / sum by (namespace, rollout, track) (rate(http_requests_total{{{sel}}}[1m]))"
    );
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
        "metadata": {"name": "success-rate", "namespace": ns},
        "spec": {
            "args": [{"name": "rollout"}, {"name": "namespace"}],
            "metrics": [{
                "name": "success-rate",
                "interval": "10s",
                "count": 3,
                "successCondition": "result[0] >= 0.99",
                "failureLimit": 0,
                "provider": {"prometheus": {
                    "address": "http://prometheus.monitoring:9090",
                    "query": query,
                }},
            }],
        },
    })
}

/// A Flagger canary for Deployment `name` with a confirm-promotion gate.
pub fn flagger_canary(ns: &str, name: &str) -> Value {
    json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {
            "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "progressDeadlineSeconds": 600,
            "service": {"port": 80, "targetPort": 8080},
            "analysis": {
                "interval": "15s",
                "threshold": 3,
                "maxWeight": 50,
                "stepWeight": 10,
                "metrics": [
                    {"name": "request-success-rate", "thresholdRange": {"min": 99}, "interval": "1m"},
                    {"name": "request-duration", "thresholdRange": {"max": 500}, "interval": "1m"},
                ],
                "webhooks": [{
                    "name": "confirm-promotion",
                    "type": "confirm-promotion",
                    "url": format!("http://flagger-loadtester.{ns}/gate/check"),
                }, {
                    "name": "rollback",
                    "type": "rollback",
                    "url": format!("http://flagger-loadtester.{ns}/rollback/check"),
                }],
            },
        },
    })
}

/// The flagd flag definitions of the casino, as the ConfigMap `flags`.
pub fn flags_configmap(ns: &str) -> Value {
    let flags = json!({
        "$schema": "https://flagd.dev/schema/v0/flags.json",
        "flags": {
            "new-slot-ui": {
                "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
                "metadata": {"owner": "games-team"}
            },
            "jackpot-banner": {
                "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"
            },
            "platform-read-only": {
                "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
                "metadata": {"description": "platform read-only switch (schema migrations)"}
            },
            "bonus-wheel": {
                "state": "ENABLED", "variants": {"classic": "classic", "mega": "mega"},
                "defaultVariant": "classic",
                "targeting": {"if": [{"in": ["@vip.casino.example", {"var": "email"}]}, "mega", null]}
            }
        }
    });
    json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "flags", "namespace": ns, "labels": {"app.kubernetes.io/part-of": "casino"}},
        "data": {"flags.flagd.json": serde_json::to_string_pretty(&flags).unwrap_or_default()},
    })
}
