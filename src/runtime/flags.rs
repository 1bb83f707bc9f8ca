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
