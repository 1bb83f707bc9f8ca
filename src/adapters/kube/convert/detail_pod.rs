//! A pod line of the revision tree: its status as the Argo Rollouts CLI computes it
//! (`pkg/kubectl-argo-rollouts/info/pod_info.go`, the `kubectl get pods` rules), its
//! ready containers and restarts.

use serde::Deserialize;
use serde_json::Value;

use super::super::model::Meta;
use super::nullable;
use crate::domain::revision::{NodeKind, TreeNode};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Pod {
    #[serde(deserialize_with = "nullable")]
    pub(super) metadata: Meta,
    #[serde(deserialize_with = "nullable")]
    spec: PodSpec,
    #[serde(deserialize_with = "nullable")]
    status: PodStatus,
    #[serde(skip)]
    deleting: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PodSpec {
    #[serde(deserialize_with = "nullable")]
    containers: Vec<Value>,
    #[serde(deserialize_with = "nullable")]
    init_containers: Vec<InitContainer>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct InitContainer {
    #[serde(deserialize_with = "nullable")]
    name: String,
    restart_policy: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PodStatus {
    #[serde(deserialize_with = "nullable")]
    phase: String,
    #[serde(deserialize_with = "nullable")]
    reason: String,
    #[serde(deserialize_with = "nullable")]
    init_container_statuses: Vec<ContainerStatus>,
    #[serde(deserialize_with = "nullable")]
    container_statuses: Vec<ContainerStatus>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ContainerStatus {
    #[serde(deserialize_with = "nullable")]
    name: String,
    restart_count: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    ready: bool,
    started: Option<bool>,
    #[serde(deserialize_with = "nullable")]
    state: ContainerState,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ContainerState {
    waiting: Option<Reasoned>,
    running: Option<Value>,
    terminated: Option<Reasoned>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Reasoned {
    #[serde(deserialize_with = "nullable")]
    reason: String,
    exit_code: Option<i64>,
    signal: Option<i64>,
}

impl Reasoned {
    /// A terminated container without reason: `<prefix>Signal:N` or `<prefix>ExitCode:N`.
    fn exit(&self, prefix: &str) -> String {
        match self.signal.unwrap_or(0) {
            0 => format!("{prefix}ExitCode:{}", self.exit_code.unwrap_or(0)),
            s => format!("{prefix}Signal:{s}"),
        }
    }
}

impl Pod {
    pub(super) fn read(v: &Value) -> Option<Pod> {
        let mut pod = super::parse::<Pod>(v).ok()?;
        pod.deleting = v
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|d| !d.is_null());
        Some(pod)
    }

    /// The CLI's pod status (as `kubectl get pods` shows it), ready containers and
    /// restarts.
    pub(super) fn status(&self) -> (String, usize, i64) {
        let (spec, st) = (&self.spec, &self.status);
        let mut reason = if st.reason.is_empty() {
            st.phase.clone()
        } else {
            st.reason.clone()
        };
        let (mut restarts, mut ready, mut initializing) = (0, 0, false);
        for (i, c) in st.init_container_statuses.iter().enumerate() {
            restarts += c.restart_count.unwrap_or(0);
            let sidecar = spec
                .init_containers
                .iter()
                .any(|ic| ic.name == c.name && ic.restart_policy.as_deref() == Some("Always"));
            let waiting = c.state.waiting.as_ref().map_or("", |w| w.reason.as_str());
            match &c.state.terminated {
                Some(t) if t.exit_code.unwrap_or(0) == 0 => continue,
                Some(t) => {
                    reason = match t.reason.as_str() {
                        "" => t.exit("Init:"),
                        r => format!("Init:{r}"),
                    };
                    initializing = true;
                }
                None if sidecar && c.started == Some(true) => {
                    if c.ready {
                        continue;
                    }
                }
                None if !waiting.is_empty() && waiting != "PodInitializing" => {
                    reason = format!("Init:{waiting}");
                    initializing = true;
                }
                None => {
                    reason = format!("Init:{i}/{}", spec.init_containers.len());
                    initializing = true;
                }
            }
            break;
        }
        if !initializing {
            restarts = 0;
            let mut running = false;
            for c in st.container_statuses.iter().rev() {
                restarts += c.restart_count.unwrap_or(0);
                let waiting = c.state.waiting.as_ref().filter(|w| !w.reason.is_empty());
                if let Some(w) = waiting {
                    reason = w.reason.clone();
                } else if let Some(t) = &c.state.terminated {
                    reason = match t.reason.as_str() {
                        "" => t.exit(""),
                        r => r.to_string(),
                    };
                } else if c.ready && c.state.running.is_some() {
                    running = true;
                    ready += 1;
                }
            }
            if reason == "Completed" && running {
                reason = "Running".to_string();
            }
        }
        if self.deleting {
            reason = if st.reason == "NodeLost" {
                "Unknown".to_string()
            } else {
                "Terminating".to_string()
            };
        }
        (reason, ready, restarts)
    }

    pub(super) fn node(&self, rev: u64) -> TreeNode {
        let (status, ready, restarts) = self.status();
        let mut info = vec![format!("ready:{ready}/{}", self.spec.containers.len())];
        if restarts > 0 {
            info.push(format!("restarts:{restarts}"));
        }
        TreeNode {
            depth: 3,
            kind: NodeKind::Pod,
            name: self.metadata.name.clone().unwrap_or_default(),
            symbol: pod_symbol(&status).to_string(),
            status,
            created: self.metadata.creation_timestamp,
            info,
            revision: Some(rev),
        }
    }
}

/// The CLI's pod icon for a status.
pub(super) fn pod_symbol(status: &str) -> &'static str {
    if status.starts_with("Init:") {
        return "◌";
    }
    if status.starts_with("Signal:") || status.starts_with("ExitCode:") {
        return "✖";
    }
    if status.ends_with("Error") || status.starts_with("Err") {
        return "⚠";
    }
    match status {
        "Pending" | "Terminating" | "ContainerCreating" => "◌",
        "Running" | "Completed" => "✔",
        "Failed" | "InvalidImageName" | "CrashLoopBackOff" => "✖",
        "ImagePullBackOff" | "RegistryUnavailable" => "⚠",
        "Unknown" => "?",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    #[test]
    fn pod_status_follows_the_kubectl_rules() {
        let status = |spec: Value, status: Value, deleting: bool| {
            let mut v =
                json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": spec, "status": status});
            if deleting {
                v["metadata"]["deletionTimestamp"] = json!("2026-03-01T11:00:00Z");
            }
            let (s, _, restarts) = Pod::read(&v).unwrap().status();
            (s, restarts)
        };
        let two_inits =
            json!({"containers": [{}], "initContainers": [{"name": "a"}, {"name": "b"}]});
        let done =
            json!({"name": "a", "restartCount": 1, "state": {"terminated": {"exitCode": 0}}});
        let cases = [
            (json!({}), json!({"phase": "Pending"}), false, "Pending", 0),
            (
                two_inits.clone(),
                json!({"phase": "Pending", "initContainerStatuses": [
                    done.clone(), {"name": "b", "state": {"waiting": {"reason": "PodInitializing"}}}
                ]}),
                false,
                "Init:1/2",
                1,
            ),
            (
                two_inits.clone(),
                json!({"phase": "Pending", "initContainerStatuses": [
                    {"name": "a", "restartCount": 3, "state": {"terminated": {"exitCode": 1}}}
                ]}),
                false,
                "Init:ExitCode:1",
                3,
            ),
            (
                two_inits,
                json!({"phase": "Pending", "initContainerStatuses": [
                    done, {"name": "b", "state": {"waiting": {"reason": "ErrImagePull"}}}
                ]}),
                false,
                "Init:ErrImagePull",
                1,
            ),
            (
                json!({}),
                json!({"phase": "Failed", "containerStatuses": [
                    {"restartCount": 2, "state": {"terminated": {"exitCode": 137, "signal": 9}}}
                ]}),
                false,
                "Signal:9",
                2,
            ),
            (
                json!({}),
                json!({"phase": "Succeeded", "containerStatuses": [
                    {"state": {"terminated": {"reason": "Completed", "exitCode": 0}}}, json!({"ready": true, "state": {"running": {}}})
                ]}),
                false,
                "Running",
                0,
            ),
            (
                json!({}),
                json!({"phase": "Running"}),
                true,
                "Terminating",
                0,
            ),
            (
                json!({}),
                json!({"phase": "Running", "reason": "NodeLost"}),
                true,
                "Unknown",
                0,
            ),
            (
                json!({}),
                json!({"phase": "Pending", "reason": "Evicted"}),
                false,
                "Evicted",
                0,
            ),
        ];
        for (spec, st, deleting, want, restarts) in cases {
            assert_eq!(
                status(spec, st.clone(), deleting),
                (want.to_string(), restarts),
                "{st}"
            );
        }
        assert_eq!(pod_symbol("Init:1/2"), "◌");
        assert_eq!(pod_symbol("ErrImagePull"), "⚠");
        assert_eq!(pod_symbol("ExitCode:1"), "✖");
    }
}
