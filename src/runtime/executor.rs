//! Runs the reducer's commands. Mutating commands are refused in read-only mode here too
//! (the reducer never emits them; this is the second lock). Results return as events.

use tokio::sync::mpsc;

use crate::adapters::kube::KubeTarget;
use crate::adapters::kube::{detail, source};
use crate::config::ContextConfig;
use crate::state::{Command, Event};
use crate::theme::{ColorDepth, Theme};

use super::session;

pub struct Executor {
    pub events: mpsc::Sender<Event>,
    pub target: KubeTarget,
    pub contexts: std::collections::BTreeMap<String, ContextConfig>,
    pub flags: crate::cli::GlobalArgs,
    pub depth: ColorDepth,
    /// The running watcher task (replaced on every StartWatch).
    pub watch: Option<tokio::task::JoinHandle<()>>,
    /// The detail's scoped watches (while the detail is open).
    pub detail: Option<tokio::task::JoinHandle<()>>,
    /// A theme that was loaded and should replace the current one.
    pub new_theme: Option<Theme>,
    pub metrics: super::metrics::MetricsExec,
    pub actions: super::actions::ActionsExec,
    /// The flagd watchers (replaced with the rollout watchers; `None` when `[flags.flagd]`
    /// is off).
    pub flagd: Option<Option<tokio::task::JoinHandle<()>>>,
    /// `[flags.unleash]`, for flag changes.
    pub unleash: crate::config::UnleashConfig,
    pub quit: bool,
}

impl Executor {
    pub fn dispatch(&mut self, commands: Vec<Command>, read_only: bool) {
        // Release lookups are gathered and sent together (one list per namespace).
        let mut releases = Vec::new();
        for cmd in commands {
            if cmd.is_mutating() && read_only {
                tracing::warn!(?cmd, "refused a mutating command in read-only mode");
                self.notice(true, "refused: this session is read-only".to_string());
                if let Command::RunAction(req) = &cmd {
                    self.actions.refuse_read_only(req, self.events.clone());
                }
                continue;
            }
            tracing::debug!(?cmd, "dispatch");
            match cmd {
                Command::Quit => self.quit = true,
                Command::SetTheme(spec) => match Theme::load(&spec, self.depth) {
                    Ok(theme) => {
                        let name = theme.name.clone();
                        self.new_theme = Some(theme);
                        self.send(Event::ThemeLoaded(Ok(name)));
                    }
                    Err(e) => self.send(Event::ThemeLoaded(Err(e.to_string()))),
                },
                Command::StartWatch {
                    generation,
                    namespaces,
                } => {
                    if let Some(old) = self.watch.take() {
                        old.abort();
                    }
                    if let Some(slot) = self.flagd.as_mut() {
                        if let Some(old) = slot.take() {
                            old.abort();
                        }
                        *slot = Some(super::flags::watch_flagd(
                            self.target.clone(),
                            namespaces.clone(),
                            generation,
                            self.events.clone(),
                        ));
                    }
                    let target = self.target.clone();
                    let events = self.events.clone();
                    tracing::info!(generation, namespaces = %namespaces.label(), "starting watchers");
                    self.watch = Some(tokio::spawn(async move {
                        match session::client_for(&target).await {
                            Ok(client) => {
                                source::run(client, namespaces, generation, false, events).await
                            }
                            Err(e) => {
                                let _ = events
                                    .send(Event::Notice {
                                        error: true,
                                        text: format!("cannot connect: {e}"),
                                    })
                                    .await;
                            }
                        }
                    }));
                }
                Command::SwitchContext(name) => match self.target.with_context(&name) {
                    Ok(target) => {
                        let info = session::info_for(&target, &self.flags, &self.contexts);
                        let events = self.events.clone();
                        let user = target.user.clone();
                        let t = target.clone();
                        self.target = target;
                        self.metrics.forget_kube();
                        self.send(Event::SessionChanged(info));
                        tokio::spawn(async move {
                            session::identify_in_background(t, user, events).await;
                        });
                    }
                    Err(e) => self.notice(true, e.to_string()),
                },
                Command::QueryMetrics(req) => self.metrics.query(req, self.events.clone()),
                Command::QueryRange(req) => self.metrics.range(req, self.events.clone()),
                Command::FetchRelease(req) => releases.push(req),
                Command::Bell => super::metrics::bell(),
                Command::OpenDetail {
                    generation,
                    key,
                    target,
                } => {
                    self.close_detail();
                    let kube = self.target.clone();
                    let events = self.events.clone();
                    tracing::info!(generation, rollout = %key.name, "opening the detail");
                    self.detail = Some(tokio::spawn(async move {
                        match session::client_for(&kube).await {
                            Ok(client) => detail::run(client, target, generation, events).await,
                            Err(e) => {
                                let result = Err(format!("cannot connect: {e}"));
                                let _ = events.send(Event::Detail { generation, result }).await;
                            }
                        }
                    }));
                }
                Command::CloseDetail => self.close_detail(),
                Command::RunAction(req) => {
                    self.actions
                        .run(*req, self.target.clone(), self.events.clone())
                }
                Command::PrepareUndo(req) => {
                    self.actions
                        .prepare_undo(*req, self.target.clone(), self.events.clone())
                }
                Command::Audit(entry) => self.actions.record(*entry, self.events.clone()),
                Command::CheckPermissions {
                    generation,
                    namespace,
                } => self.actions.check_permissions(
                    generation,
                    namespace,
                    self.target.clone(),
                    self.events.clone(),
                ),
                Command::LoadAudit => self.actions.load(self.events.clone()),
                Command::PrepareFlag(req) => super::flag_actions::prepare(
                    *req,
                    self.target.clone(),
                    self.unleash.clone(),
                    self.events.clone(),
                ),
                Command::RunFlag(req) => super::flag_actions::run(
                    *req,
                    self.target.clone(),
                    self.unleash.clone(),
                    self.actions.audit_path.clone(),
                    self.events.clone(),
                ),
            }
        }
        if !releases.is_empty() {
            self.metrics.releases(releases, &self.target, &self.events);
        }
    }

    /// Stops the detail's scoped watches, if any.
    fn close_detail(&mut self) {
        if let Some(task) = self.detail.take() {
            task.abort();
        }
    }

    fn send(&self, ev: Event) {
        if self.events.try_send(ev).is_err() {
            tracing::warn!("event channel full; an event was dropped");
        }
    }

    fn notice(&self, error: bool, text: String) {
        self.send(Event::Notice { error, text });
    }
}
