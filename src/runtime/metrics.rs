//! Runs the metrics commands: grouped interval queries, chart range queries, release
//! lookups, the bell. Each result returns as an event carrying its request id.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::Arc;

use tokio::sync::{OnceCell, mpsc};

use crate::adapters::kube::{KubeTarget, release};
use crate::adapters::metrics_jobs;
use crate::adapters::prometheus::PromClient;
use crate::domain::metrics::templates::QuerySet;
use crate::domain::rollout::ControllerKind;
use crate::state::Event;
use crate::state::metrics::{MetricsRequest, RangeRequest, ReleaseAnswer, ReleaseRequest};

use super::session;

/// What the metrics commands need: the Prometheus client and the templates (none when no
/// Prometheus is configured), and a kube client for release lookups (built on first use).
#[derive(Clone, Default)]
pub struct MetricsExec {
    pub prom: Option<(PromClient, Arc<QuerySet>)>,
    kube: Arc<OnceCell<kube::Client>>,
    releases: Arc<release::Releases>,
}

impl MetricsExec {
    pub fn new(prom: Option<(PromClient, QuerySet)>) -> Self {
        Self {
            prom: prom.map(|(c, q)| (c, Arc::new(q))),
            kube: Arc::new(OnceCell::new()),
            releases: Arc::new(release::Releases::new()),
        }
    }

    /// Another kube context: release lookups need a new client.
    pub fn forget_kube(&mut self) {
        self.kube = Arc::new(OnceCell::new());
        self.releases = Arc::new(release::Releases::new());
    }

    pub fn query(&self, req: MetricsRequest, events: mpsc::Sender<Event>) {
        let Some((client, set)) = self.prom.clone() else {
            return;
        };
        tokio::spawn(async move {
            let result = metrics_jobs::interval(&client, &set, &req).await;
            if let Err(e) = &result {
                tracing::warn!(error = %e, "metrics interval failed");
            }
            let _ = events.send(Event::Metrics { id: req.id, result }).await;
        });
    }

    pub fn range(&self, req: RangeRequest, events: mpsc::Sender<Event>) {
        let Some((client, set)) = self.prom.clone() else {
            return;
        };
        tokio::spawn(async move {
            let result = metrics_jobs::range(&client, &set, &req).await;
            let key = req.target.key.clone();
            let _ = events
                .send(Event::MetricRange {
                    id: req.id,
                    key,
                    result,
                })
                .await;
        });
    }

    /// Looks up the releases one dispatch asked for: one task per namespace, whose first
    /// lookup lists the namespace's ReplicaSets and whose others reuse that list
    /// ([`release::Releases`]); each answer is its own event.
    pub fn releases(
        &self,
        reqs: Vec<ReleaseRequest>,
        target: &KubeTarget,
        events: &mpsc::Sender<Event>,
    ) {
        let asked = std::time::Instant::now();
        let mut by_ns: BTreeMap<String, Vec<ReleaseRequest>> = BTreeMap::new();
        for req in reqs {
            by_ns
                .entry(req.key.namespace.clone())
                .or_default()
                .push(req);
        }
        for (_, reqs) in by_ns {
            let cell = self.kube.clone();
            let releases = self.releases.clone();
            let (target, events) = (target.clone(), events.clone());
            tokio::spawn(async move {
                let client = cell
                    .get_or_try_init(|| async { session::client_for(&target).await })
                    .await
                    .cloned();
                for req in reqs {
                    let result = match &client {
                        Ok(c) => releases.lookup(c.clone(), &question(&req, asked)).await,
                        Err(e) => Err(format!("cannot connect: {e}")),
                    };
                    if let Err(e) = &result {
                        tracing::debug!(error = %e, rollout = %req.key.name, "release lookup failed");
                    }
                    let answer = ReleaseAnswer {
                        key: req.key,
                        revision: req.revision,
                        result,
                    };
                    if events.send(Event::Release(answer)).await.is_err() {
                        return;
                    }
                }
            });
        }
    }
}

/// A release request as a lookup: an Argo rollout's revision is its pod-template hash.
fn question(req: &ReleaseRequest, asked: std::time::Instant) -> release::Question<'_> {
    let argo = matches!(
        req.key.kind,
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen
    );
    release::Question {
        namespace: &req.key.namespace,
        owner: &req.owner,
        asked,
        pod_hash: argo.then_some(req.revision.as_str()),
    }
}

/// The terminal bell (BEL to the terminal; the UI owns stdout while it is up).
pub fn bell() {
    let mut out = std::io::stdout();
    let _ = out.write_all(b"\x07");
    let _ = out.flush();
}

/// The metrics settings for the reducer and the executor's half, from the configuration.
/// A configured Prometheus whose client cannot be built (an unreadable token file, a bad
/// CA file) is an error naming the key.
pub fn setup(
    config: &crate::config::Config,
) -> Result<(crate::state::metrics::MetricsSettings, MetricsExec), String> {
    let prom_cfg = &config.prometheus;
    let mut settings = crate::state::metrics::MetricsSettings {
        enabled: prom_cfg.enabled(),
        source: String::new(),
        insecure: false,
        interval: prom_cfg.interval.0,
        rules: config.rules.clone(),
        services: config.services.clone(),
    };
    if !settings.enabled {
        return Ok((settings, MetricsExec::new(None)));
    }
    let set = crate::config::metrics::query_set(prom_cfg, &config.queries)
        .map_err(|e| format!("[queries]: {e}"))?;
    let client = PromClient::new(prom_cfg).map_err(|e| format!("[prometheus]: {e}"))?;
    settings.source = client.describe();
    settings.insecure = client.insecure();
    Ok((settings, MetricsExec::new(Some((client, set)))))
}
