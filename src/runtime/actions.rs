//! The executor's action half: runs confirmed actions (one per object at a time: the
//! second lock after the reducer's), prepares undos, checks RBAC, and writes the audit
//! file. Results return as events.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use crate::adapters::audit;
use crate::adapters::kube::{KubeTarget, actions, rbac};
use crate::domain::action_request::ActionRequest;
use crate::domain::audit::{AuditEntry, Outcome};
use crate::domain::permissions::ALL_NEEDS;
use crate::state::Event;

use super::session;

pub struct ActionsExec {
    /// The audit file (`[audit] path`).
    pub audit_path: PathBuf,
    /// Objects with an action running (`namespace/name`).
    running: Arc<Mutex<HashSet<String>>>,
}

impl ActionsExec {
    pub fn new(audit_path: PathBuf) -> Self {
        Self {
            audit_path,
            running: Arc::default(),
        }
    }

    /// Runs a confirmed action in the background; a second one for the same object while
    /// the first runs sends nothing (refused, audited).
    pub fn run(&self, req: ActionRequest, target: KubeTarget, events: mpsc::Sender<Event>) {
        let object = req.object();
        let fresh = self
            .running
            .lock()
            .map(|mut set| set.insert(object.clone()))
            .unwrap_or(false);
        let path = self.audit_path.clone();
        if !fresh {
            let why = format!(
                "an action on {} is still running; nothing sent",
                req.key.name
            );
            tracing::warn!(%object, "refused a second action while one runs");
            let entry = refused_entry(&req, why);
            tokio::spawn(finish(path, req.id, entry, events));
            return;
        }
        let running = self.running.clone();
        tokio::spawn(async move {
            let entry = match session::client_for(&target).await {
                Ok(client) => actions::run(&client, &req, crate::adapters::clock::now()).await,
                Err(e) => {
                    let mut entry = refused_entry(&req, format!("cannot connect: {e}"));
                    entry.outcome = Outcome::Failed;
                    entry
                }
            };
            if let Ok(mut set) = running.lock() {
                set.remove(&object);
            }
            finish(path, req.id, entry, events).await;
        });
    }

    /// Refuses a mutating command in a read-only session (the executor's own lock).
    pub fn refuse_read_only(&self, req: &ActionRequest, events: mpsc::Sender<Event>) {
        let entry = refused_entry(req, "read-only session (refused by the executor)".into());
        tokio::spawn(finish(self.audit_path.clone(), req.id, entry, events));
    }

    pub fn prepare_undo(
        &self,
        req: ActionRequest,
        target: KubeTarget,
        events: mpsc::Sender<Event>,
    ) {
        tokio::spawn(async move {
            let id = req.id;
            let result = match session::client_for(&target).await {
                Ok(client) => actions::prepare_undo(&client, req).await.map(Box::new),
                Err(e) => Err(format!("cannot connect: {e}")),
            };
            let _ = events.send(Event::ActionPrepared { id, result }).await;
        });
    }

    /// Appends an attempt the reducer ended (cancelled, refused).
    pub fn record(&self, entry: AuditEntry, events: mpsc::Sender<Event>) {
        let path = self.audit_path.clone();
        tokio::spawn(async move {
            if let Err(e) = write(path, entry).await {
                let _ = events
                    .send(Event::Notice {
                        error: true,
                        text: e,
                    })
                    .await;
            }
        });
    }

    pub fn check_permissions(
        &self,
        generation: u64,
        namespace: String,
        target: KubeTarget,
        events: mpsc::Sender<Event>,
    ) {
        tokio::spawn(async move {
            let result = match session::client_for(&target).await {
                Ok(client) => rbac::check(&client, &namespace, &ALL_NEEDS).await,
                Err(e) => Err(format!("cannot connect: {e}")),
            };
            if let Err(e) = &result {
                tracing::warn!(%namespace, error = %e, "RBAC check failed");
            }
            let _ = events
                .send(Event::Permissions {
                    generation,
                    namespace,
                    result,
                })
                .await;
        });
    }

    pub fn load(&self, events: mpsc::Sender<Event>) {
        let path = self.audit_path.clone();
        tokio::spawn(async move {
            let result = tokio::task::spawn_blocking(move || audit::read(&path))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()));
            let _ = events.send(Event::AuditLoaded(result)).await;
        });
    }
}

fn refused_entry(req: &ActionRequest, why: String) -> AuditEntry {
    AuditEntry {
        time: crate::adapters::clock::now(),
        identity: req.identity.clone(),
        context: req.context.clone(),
        namespace: req.key.namespace.clone(),
        name: req.key.name.clone(),
        action: req.action.label().to_string(),
        requests: Vec::new(),
        outcome: Outcome::Refused,
        reason: Some(why),
    }
}

async fn write(path: PathBuf, entry: AuditEntry) -> Result<(), String> {
    tokio::task::spawn_blocking(move || audit::append(&path, &entry))
        .await
        .map_err(|e| format!("audit write failed: {e}"))?
        .map_err(|e| format!("audit write failed: {e}"))
}

/// Records the outcome, then tells the reducer.
async fn finish(path: PathBuf, id: u64, entry: AuditEntry, events: mpsc::Sender<Event>) {
    if let Err(e) = write(path, entry.clone()).await {
        tracing::error!(error = %e, "the audit line of an action could not be written");
        let _ = events
            .send(Event::Notice {
                error: true,
                text: e,
            })
            .await;
    }
    let _ = events
        .send(Event::ActionFinished {
            id,
            entry: Box::new(entry),
        })
        .await;
}
