//! Channels, the loop, frame pacing, the executor and task lifetimes.

pub mod actions;
pub mod app;
pub mod check;
pub mod demo;
pub mod demo_prom;
pub mod executor;
pub mod flag_actions;
pub mod flags;
pub mod metrics;
pub mod session;
pub mod simulate;
pub mod startup;

use std::time::Duration;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::adapters::{clock, terminal};
use crate::state::{self, AppState, Event};
use crate::theme::Theme;

pub use executor::Executor;

/// The async runtime shipdeck uses: two workers (the UI needs few; the machines it runs on
/// may be small).
pub fn tokio_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Everything the loop needs.
pub struct Launch {
    pub state: AppState,
    pub theme: Theme,
    pub executor: Executor,
    /// Adapter events (ticks, identity, command results).
    pub events: mpsc::Receiver<Event>,
    pub refresh: Duration,
    pub max_fps: u16,
    /// Panic after the first frame (for the terminal-restore test).
    pub debug_panic: bool,
    /// Where stderr goes while the UI is up.
    pub stderr_to: Option<std::fs::File>,
    /// Where ticks read the time.
    pub clock: clock::Clock,
}

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Signal(&'static str),
    InputClosed,
}

/// Runs the UI until quit or a signal. The terminal is restored on every path (the guard
/// on return or `?`, the panic hook on a panic).
pub async fn run(mut launch: Launch) -> std::io::Result<Exit> {
    let mut guard = terminal::enter(launch.stderr_to.as_ref())?;
    let size = guard.terminal()?.size()?;
    state::update(
        &mut launch.state,
        Event::Resize {
            width: size.width,
            height: size.height,
        },
    );

    // Input has its own channel so it is drained before anything else.
    let (key_tx, mut keys) = mpsc::channel::<Event>(256);
    let input = tokio::spawn(read_input(key_tx));
    let ticks = tokio::spawn(clock::ticks(
        launch.refresh,
        launch.executor.events.clone(),
        launch.clock.clone(),
    ));
    let mut signals = Signals::new()?;

    let frame_gap = Duration::from_millis(1000 / u64::from(launch.max_fps.max(1)));
    let mut last_frame: Option<Instant> = None;
    let mut shown_rows = usize::MAX;
    // A key was handled since the last frame: its answer is drawn at once, whatever the
    // cap (the cap paces watch events and ticks; the keys of one burst are handled first).
    let mut key_waiting = false;
    let exit = loop {
        // Draw when something changed and the frame cap allows it (or a key waits).
        if launch.state.dirty
            && (key_waiting || last_frame.is_none_or(|t| t.elapsed() >= frame_gap))
        {
            key_waiting = false;
            guard
                .terminal()?
                .draw(|f| crate::ui::render(&launch.state, &launch.theme, f))?;
            launch.state.dirty = false;
            last_frame = Some(Instant::now());
            let total = launch.state.rollouts.total();
            if total != shown_rows {
                // For scripts/bench-scale: when a frame first shows a new number of rows.
                tracing::info!(rows = total, "frame");
                shown_rows = total;
            }
            if launch.debug_panic {
                panic!("--debug-panic: panicking after the first frame, as asked");
            }
        }
        let next_frame = last_frame.map_or_else(Instant::now, |t| t + frame_gap);
        let wait_for_frame = launch.state.dirty;
        tokio::select! {
            biased;
            ev = keys.recv() => match ev {
                Some(ev) => {
                    handle(&mut launch, ev);
                    while let Ok(ev) = keys.try_recv() {
                        handle(&mut launch, ev);
                    }
                    key_waiting = true;
                }
                None => break Exit::InputClosed,
            },
            name = signals.next() => break Exit::Signal(name),
            Some(ev) = launch.events.recv() => {
                handle(&mut launch, ev);
                // Drain a bounded batch so input is never starved.
                for _ in 0..256 {
                    match launch.events.try_recv() {
                        Ok(ev) => handle(&mut launch, ev),
                        Err(_) => break,
                    }
                }
            }
            () = tokio::time::sleep_until(next_frame), if wait_for_frame => {}
        }
        if launch.executor.quit {
            break Exit::Quit;
        }
    };
    input.abort();
    ticks.abort();
    tracing::info!(?exit, "leaving the UI");
    Ok(exit)
}

fn handle(launch: &mut Launch, ev: Event) {
    if let Event::Key(k) = &ev {
        tracing::trace!(key = %k, "key");
    }
    let commands = state::update(&mut launch.state, ev);
    let read_only = launch.state.session.is_read_only();
    launch.executor.dispatch(commands, read_only);
    if let Some(theme) = launch.executor.new_theme.take() {
        launch.theme = theme;
        launch.state.dirty = true;
    }
}

async fn read_input(tx: mpsc::Sender<Event>) {
    let mut stream = crossterm::event::EventStream::new();
    while let Some(item) = stream.next().await {
        let ev = match item {
            Ok(crossterm::event::Event::Key(k)) => match terminal::chord(k) {
                Some(chord) => Event::Key(chord),
                None => continue,
            },
            Ok(crossterm::event::Event::Resize(width, height)) => Event::Resize { width, height },
            Ok(_) => continue,
            Err(e) => {
                tracing::error!(error = %e, "terminal input failed");
                return;
            }
        };
        if tx.send(ev).await.is_err() {
            return;
        }
    }
}

/// SIGINT, SIGTERM and SIGHUP end the loop (the terminal is then restored).
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "SIGINT",
            _ = self.term.recv() => "SIGTERM",
            _ = self.hup.recv() => "SIGHUP",
        }
    }
}
