//! `AppState` and the one reducer, `update(&mut AppState, Event) -> Vec<Command>`: pure,
//! synchronous, clock-free. Effects leave as `Command`s; results come back as `Event`s.

pub mod actions;
pub mod approval;
pub mod audit;
pub mod command;
pub mod detail;
pub mod event;
pub mod flag_keys;
pub mod flags;
pub mod gates;
mod keys;
pub mod metrics;
pub mod palette;
pub mod rollback;
mod rollout_order;
pub mod rollouts;
pub mod safety;
mod screen_keys;
pub mod session;

use chrono::{DateTime, Utc};
use tui_input::Input;

use crate::domain::rollout::RolloutRow;
use crate::input::{KeyMap, Scope};

pub use command::Command;
pub use event::{Event, RolloutChange, RowId};
pub use palette::{CompletionWords, Palette};
pub use rollouts::{RolloutList, SortKey};
pub use session::{ReadOnlyReason, Session, SessionInfo, SourceState};

/// How long a flash message stays up.
pub const FLASH_SECS: i64 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Rollouts,
    Alerts,
    Flags,
    Audit,
}

impl Screen {
    pub const ALL: [Screen; 4] = [
        Screen::Rollouts,
        Screen::Alerts,
        Screen::Flags,
        Screen::Audit,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Rollouts => "Rollouts",
            Self::Alerts => "Alerts",
            Self::Flags => "Flags",
            Self::Audit => "Audit",
        }
    }

    /// The keymap scope of the screen.
    pub fn scope(self) -> Scope {
        match self {
            Self::Rollouts => Scope::Rollout,
            Self::Alerts => Scope::Alerts,
            Self::Flags => Scope::Flags,
            Self::Audit => Scope::Audit,
        }
    }
}

/// What sits on top of the screen and has the keyboard.
#[derive(Debug, Clone, Default)]
pub enum Overlay {
    #[default]
    None,
    Help {
        scroll: u16,
    },
    Filter(Input),
    Palette(Palette),
    /// The confirm dialog of an action.
    Confirm(Box<actions::ConfirmDialog>),
    /// The confirm dialog of a flag change.
    FlagConfirm(Box<flag_keys::FlagDialog>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
    pub until: DateTime<Utc>,
}

pub struct AppState {
    pub screen: Screen,
    pub overlay: Overlay,
    pub keymap: KeyMap,
    pub session: Session,
    pub rollouts: RolloutList,
    pub metrics: metrics::MetricsState,
    /// The open detail screen, if any.
    pub detail: Option<detail::DetailState>,
    /// The generation of the last detail opening (each opening takes the next).
    pub detail_generation: u64,
    /// Actions in flight and RBAC answers.
    pub actions: actions::ActionsState,
    /// The audit screen's entries.
    pub audit: audit::AuditView,
    /// Critical services, two-person rule, auto-rollback.
    pub safety: safety::SafetyState,
    /// The flags screen.
    pub flags: flags::FlagsView,
    pub flash: Option<Flash>,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    /// Draw ASCII symbols only (no UTF-8 locale, or `--ascii`).
    pub ascii: bool,
    pub theme_name: String,
    /// Words for palette completion that do not come from the rows.
    pub words: CompletionWords,
    /// Something on screen changed since the last frame.
    pub dirty: bool,
    pub quitting: bool,
    /// A label next to the name in the header (the demo says what it is).
    pub banner: Option<String>,
    /// "press ? for keys" in the status line until the first key (the demo).
    pub first_run_hint: bool,
    /// The clock stands still (the frozen demo): metrics are asked on every tick, since
    /// their interval never comes round.
    pub clock_stopped: bool,
}

impl AppState {
    pub fn new(session: Session, keymap: KeyMap, now: DateTime<Utc>) -> Self {
        let words = CompletionWords {
            read_only: false,
            namespaces: Vec::new(),
            contexts: session.contexts.clone(),
            themes: Vec::new(),
        };
        Self {
            screen: Screen::Rollouts,
            overlay: Overlay::None,
            keymap,
            session,
            rollouts: RolloutList::default(),
            metrics: metrics::MetricsState::new(metrics::MetricsSettings::default()),
            detail: None,
            detail_generation: 0,
            actions: actions::ActionsState::default(),
            audit: audit::AuditView::default(),
            safety: safety::SafetyState::default(),
            flags: flags::FlagsView::default(),
            flash: None,
            now,
            size: (120, 36),
            ascii: false,
            theme_name: "default".to_string(),
            words,
            dirty: true,
            quitting: false,
            banner: None,
            first_run_hint: false,
            clock_stopped: false,
        }
    }

    /// A state seeded with rows, for tests and benchmarks.
    pub fn with_rows(session: Session, rows: Vec<RolloutRow>, now: DateTime<Utc>) -> Self {
        let mut s = Self::new(session, KeyMap::default(), now);
        s.rollouts.replace(rows);
        for name in ["rollouts", "canaries", "deployments"] {
            s.session.set_source(name, SourceState::Live { since: now });
        }
        s
    }

    /// The keymap scopes in effect, widest first.
    pub fn scopes(&self) -> Vec<Scope> {
        let mut stack = vec![Scope::Global, self.screen.scope()];
        if matches!(self.overlay, Overlay::Filter(_) | Overlay::Palette(_)) {
            stack.push(Scope::Input);
        }
        if matches!(self.overlay, Overlay::Confirm(_) | Overlay::FlagConfirm(_)) {
            stack.push(Scope::Dialog);
        }
        stack
    }

    /// Applies `[approvals]` and `[auto_rollback]`.
    pub fn set_safety(&mut self, settings: safety::SafetySettings) {
        self.safety.settings = settings;
    }

    /// Applies the metrics configuration (critical services mark their rows).
    pub fn set_metrics(&mut self, settings: metrics::MetricsSettings) {
        let critical = settings
            .services
            .iter()
            .filter(|s| s.critical)
            .map(|s| (s.namespace.clone(), s.name.clone()))
            .collect();
        self.rollouts.set_critical(critical);
        self.metrics = metrics::MetricsState::new(settings);
        metrics::sync_source(self);
    }

    /// Rows the table can show at the current terminal height.
    pub fn page_rows(&self) -> usize {
        usize::from(self.size.1.saturating_sub(crate::state::CHROME_ROWS)).max(1)
    }

    /// Palette completion words, with the namespaces of the rows.
    pub fn completion_words(&self) -> CompletionWords {
        let mut words = self.words.clone();
        words.read_only = self.session.is_read_only();
        let mut ns: Vec<String> = self
            .rollouts
            .visible()
            .map(|r| r.key.namespace.clone())
            .collect();
        ns.sort();
        ns.dedup();
        words.namespaces = ns;
        words
    }

    pub fn flash(&mut self, text: impl Into<String>, error: bool) {
        self.flash = Some(Flash {
            text: text.into(),
            error,
            until: self.now + chrono::Duration::seconds(FLASH_SECS),
        });
        self.dirty = true;
    }
}

/// Forgets the rows of the old world and asks for watchers of the new one.
pub fn restart_watch(state: &mut AppState) -> Command {
    state.session.generation += 1;
    state.rollouts.clear();
    // flagd definitions live in the namespaces in view: their rows go with the old world.
    state.flags.apply(flags::FlagUpdate::Resync {
        backend: crate::domain::flags::Backend::Flagd,
        flags: Vec::new(),
    });
    state.metrics.reset(state.now);
    metrics::sync_source(state);
    state
        .rollouts
        .set_alerting(std::collections::HashSet::new());
    for name in ["rollouts", "canaries", "deployments"] {
        state.session.set_source(name, SourceState::Connecting);
    }
    state.dirty = true;
    Command::StartWatch {
        generation: state.session.generation,
        namespaces: state.session.info.namespaces.clone(),
    }
}

/// The watchers of a new world, and the RBAC checks of its namespaces.
pub fn start_session(state: &mut AppState) -> Vec<Command> {
    let mut cmds = vec![restart_watch(state)];
    state.actions.permissions.clear();
    state.actions.settling.clear();
    state.actions.permissions_generation = state.session.generation;
    let generation = state.session.generation;
    let namespaces = match &state.session.info.namespaces {
        crate::domain::scope::NamespaceScope::All => vec![String::new()],
        crate::domain::scope::NamespaceScope::Some(list) => list.clone(),
    };
    cmds.extend(
        namespaces
            .into_iter()
            .map(|namespace| Command::CheckPermissions {
                generation,
                namespace,
            }),
    );
    cmds
}

/// What shipdeck does first: the session's watchers and RBAC checks, and one read of the
/// audit (the audit screen's list, and gates a previous session left open).
pub fn start(state: &mut AppState) -> Vec<Command> {
    let mut cmds = start_session(state);
    cmds.push(Command::LoadAudit);
    cmds
}

/// Rows of the screen that are not table rows: header (2), table border and column header
/// (3), status line (1), footer (1).
pub const CHROME_ROWS: u16 = 7;

/// The reducer. Pure: no I/O, no clock, no tasks.
pub fn update(state: &mut AppState, event: Event) -> Vec<Command> {
    match event {
        Event::Key(chord) => {
            if state.first_run_hint {
                state.first_run_hint = false;
                state.dirty = true;
            }
            keys::on_key(state, chord)
        }
        Event::Resize { width, height } => {
            state.size = (width, height);
            state.dirty = true;
            Vec::new()
        }
        Event::Tick(now) => {
            state.now = now;
            if state.flash.as_ref().is_some_and(|f| f.until <= now) {
                state.flash = None;
                state.dirty = true;
            }
            state.actions.settle(&state.rollouts, now);
            let mut cmds = safety::on_tick(state, now);
            if state.safety.countdown.is_some() {
                state.dirty = true;
            }
            // Ages on screen advance; an empty screen has nothing to redraw.
            if state.rollouts.visible_len() > 0 {
                state.dirty = true;
            }
            cmds.extend(metrics::on_tick(state, now));
            cmds
        }
        Event::Metrics { id, result } => {
            let cmds = metrics::on_answer(state, id, result);
            safety::after_interval(state);
            cmds
        }
        Event::MetricRange { id, key, result } => metrics::on_range(state, id, key, result),
        Event::Release(answer) => metrics::on_release(state, answer),
        Event::Identity(id) => {
            state.session.identity = Some(id);
            state.dirty = true;
            Vec::new()
        }
        Event::Rollouts { generation, change } => {
            if generation != state.session.generation {
                return Vec::new();
            }
            let open_row = detail::row_present(state);
            match change {
                RolloutChange::Resync(rows) => state.rollouts.replace(rows),
                RolloutChange::Upsert(rows) => state.rollouts.upsert(rows),
                RolloutChange::Remove(ids) => state.rollouts.remove(&ids),
            }
            detail::after_rows(state, open_row);
            state.actions.settle(&state.rollouts, state.now);
            state.dirty = true;
            gates::after_rows(state)
        }
        Event::Source {
            generation,
            name,
            state: source,
        } => {
            if generation == state.session.generation {
                state.session.set_source(name, source);
                state.dirty = true;
            }
            Vec::new()
        }
        Event::SessionChanged(info) => {
            let name = info.context.clone();
            state.session.switch(info);
            state.flash(format!("switched to context {name}"), false);
            start_session(state)
        }
        Event::ThemeLoaded(result) => {
            match result {
                Ok(name) => {
                    state.theme_name = name.clone();
                    state.flash(format!("theme {name}"), false);
                }
                Err(e) => state.flash(e, true),
            }
            Vec::new()
        }
        Event::Detail { generation, result } => detail::on_result(state, generation, result),
        Event::ActionPrepared { id, result } => actions::on_prepared(state, id, result),
        Event::ActionFinished { id, entry } => actions::on_finished(state, id, *entry),
        Event::Permissions {
            generation,
            namespace,
            result,
        } => {
            // A failed check leaves the namespace unknown: actions may be tried, and a 403
            // says why.
            if generation == state.actions.permissions_generation
                && let Ok(answers) = result
            {
                state.actions.permissions.record(&namespace, &answers);
            }
            Vec::new()
        }
        Event::Flags { generation, update } => {
            // flagd rows belong to a watch generation; Unleash polls to any (generation 0).
            if generation == 0 || generation == state.session.generation {
                state.flags.apply(update);
                state.dirty = true;
            }
            Vec::new()
        }
        Event::FlagPrepared { id, result } => flag_keys::on_prepared(state, id, result),
        Event::FlagFinished { id, entry } => flag_keys::on_finished(state, id, *entry),
        Event::AuditLoaded(_) if state.audit.loaded => Vec::new(),
        Event::AuditLoaded(result) => {
            state.audit.loaded = true;
            match result {
                Ok(mut entries) => {
                    let cmds = gates::reconcile(state, &entries);
                    // Attempts of this session may already be on the list.
                    entries.append(&mut state.audit.entries);
                    state.audit.entries = entries;
                    state.audit.error = None;
                    state.dirty = true;
                    return cmds;
                }
                Err(e) => state.audit.error = Some(e),
            }
            state.dirty = true;
            Vec::new()
        }
        Event::Notice { error, text } => {
            state.flash(text, error);
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests;
