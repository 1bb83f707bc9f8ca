//! The flag backends' tasks: the flagd watchers (per watch generation, as the rollouts') and
//! their events as the reducer's.

use tokio::sync::mpsc;

use crate::adapters::kube::KubeTarget;
use crate::adapters::kube::flags::{self, FlagEvent};
use crate::domain::flags::Backend;
use crate::domain::scope::NamespaceScope;
use crate::state::Event;
use crate::state::flags::FlagUpdate;

use super::session;

/// The reducer's view of a flagd watcher event.
fn update(ev: FlagEvent) -> FlagUpdate {
    match ev {
        FlagEvent::Resync(flags) => FlagUpdate::Resync {
            backend: Backend::Flagd,
            flags,
        },
        FlagEvent::Upsert { source, flags } => FlagUpdate::Upsert { source, flags },
        FlagEvent::Remove(source) => FlagUpdate::Remove(source),
        FlagEvent::Source { name, state } => FlagUpdate::Source {
            name: name.to_string(),
            state,
        },
    }
}

/// Watches the flagd definitions of `namespaces` until aborted.
pub fn watch_flagd(
    target: KubeTarget,
    namespaces: NamespaceScope,
    generation: u64,
    events: mpsc::Sender<Event>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = match session::client_for(&target).await {
            Ok(c) => c,
            Err(e) => {
                let update = FlagUpdate::Source {
                    name: flags::CONFIG_MAPS.to_string(),
                    state: format!("stale: cannot connect: {e}"),
                };
                let _ = events.send(Event::Flags { generation, update }).await;
                return;
            }
        };
        let (tx, mut rx) = mpsc::channel(64);
        let watcher = tokio::spawn(flags::run(client, namespaces, tx));
        while let Some(ev) = rx.recv().await {
            let ev = Event::Flags {
                generation,
                update: update(ev),
            };
            if events.send(ev).await.is_err() {
                break;
            }
        }
        watcher.abort();
    })
}

/// The Unleash source's name on the flags screen.
pub const UNLEASH: &str = crate::domain::flags::UNLEASH_SOURCE;

/// Polls `[flags.unleash]` every `interval` until aborted (ETag: an unchanged server costs
/// conditional requests only). A failure keeps the last rows and says why.
pub fn poll_unleash(
    config: crate::config::UnleashConfig,
    events: mpsc::Sender<Event>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let source = |state: String| Event::Flags {
            generation: 0,
            update: FlagUpdate::Source {
                name: UNLEASH.to_string(),
                state,
            },
        };
        let Some(token_file) = config.token_file.clone() else {
            let why = "stale: [flags.unleash] token_file is not set: point it at a file holding an admin API token";
            let _ = events.send(source(why.to_string())).await;
            return;
        };
        let client = match crate::adapters::unleash::UnleashClient::new(
            &config.url,
            &token_file,
            &config.project,
            &config.environments,
            std::time::Duration::from_secs(10),
        ) {
            Ok(c) => c,
            Err(e) => {
                let _ = events.send(source(format!("stale: {e}"))).await;
                return;
            }
        };
        let mut tick = tokio::time::interval(config.interval.0);
        let mut first = true;
        loop {
            tick.tick().await;
            let result = if first {
                client.list().await.map(Some)
            } else {
                client.poll().await.map(|p| match p {
                    crate::adapters::unleash::Poll::Unchanged => None,
                    crate::adapters::unleash::Poll::Changed(flags) => Some(flags),
                })
            };
            let sent = match result {
                Ok(changed) => {
                    first = false;
                    let mut ok = events.send(source("live".to_string())).await.is_ok();
                    if let Some(flags) = changed {
                        let update = FlagUpdate::Resync {
                            backend: Backend::Unleash,
                            flags,
                        };
                        ok &= events
                            .send(Event::Flags {
                                generation: 0,
                                update,
                            })
                            .await
                            .is_ok();
                    }
                    ok
                }
                Err(e) => {
                    tracing::warn!(error = %e, "Unleash poll failed");
                    events.send(source(format!("stale: {e}"))).await.is_ok()
                }
            };
            if !sent {
                break;
            }
        }
    })
}
