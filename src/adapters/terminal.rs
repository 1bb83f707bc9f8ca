//! The terminal: raw mode and the alternate screen, restored on every exit path (normal
//! exit, error, panic, signal); stderr goes to the log file while the UI is up (exec auth
//! plugins and stray library output would otherwise scribble over the screen); and
//! crossterm key events converted to key chords.

use std::io::{self, Stdout, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{KeyCode as CtKey, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::input::{KeyChord, KeyCode};

static ACTIVE: AtomicBool = AtomicBool::new(false);
static SAVED_STDERR: Mutex<Option<OwnedFd>> = Mutex::new(None);

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Owns the terminal; restores it when dropped, on every path out of the UI (and
/// `restore()` may be called any number of times).
pub struct TerminalGuard {
    terminal: Option<Tui>,
}

impl TerminalGuard {
    pub fn terminal(&mut self) -> io::Result<&mut Tui> {
        self.terminal
            .as_mut()
            .ok_or_else(|| io::Error::other("the terminal was already restored"))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        // ratatui shows a hidden cursor when its Terminal is dropped; do that first, so
        // leaving the alternate screen stays the last thing written.
        if let Some(mut t) = self.terminal.take() {
            let _ = t.show_cursor();
        }
        restore();
    }
}

/// Enters raw mode and the alternate screen. With `stderr_to`, fd 2 is pointed at that file
/// until `restore()`.
pub fn enter(stderr_to: Option<&std::fs::File>) -> io::Result<TerminalGuard> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut guard = TerminalGuard { terminal: None };
    let mut out = io::stdout();
    execute!(out, EnterAlternateScreen, cursor::Hide)?;
    if let Some(file) = stderr_to {
        redirect_stderr(file);
    }
    guard.terminal = Some(Terminal::new(CrosstermBackend::new(io::stdout()))?);
    Ok(guard)
}

fn redirect_stderr(file: &std::fs::File) {
    let Ok(saved) = nix::unistd::dup(io::stderr().as_fd()) else {
        return;
    };
    if nix::unistd::dup2_stderr(file.as_fd()).is_ok()
        && let Ok(mut slot) = SAVED_STDERR.lock()
    {
        *slot = Some(saved);
    }
}

/// Leaves the alternate screen, shows the cursor, ends raw mode and gives stderr back.
/// Safe to call from a panic hook or a signal path; does nothing the second time.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    if let Ok(mut slot) = SAVED_STDERR.lock()
        && let Some(saved) = slot.take()
    {
        let _ = nix::unistd::dup2_stderr(saved.as_fd());
    }
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    // The alternate screen is left last, so it is the final control sequence written.
    let _ = execute!(out, cursor::Show, LeaveAlternateScreen);
    let _ = out.flush();
}

/// A key press as a chord; releases and other kinds are ignored.
pub fn chord(ev: KeyEvent) -> Option<KeyChord> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    let alt = ev.modifiers.contains(KeyModifiers::ALT);
    let code = match ev.code {
        CtKey::Char(c) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
        CtKey::Enter => KeyCode::Enter,
        CtKey::Esc => KeyCode::Esc,
        CtKey::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        CtKey::Tab => KeyCode::Tab,
        CtKey::BackTab => KeyCode::BackTab,
        CtKey::Backspace => KeyCode::Backspace,
        CtKey::Delete => KeyCode::Delete,
        CtKey::Up => KeyCode::Up,
        CtKey::Down => KeyCode::Down,
        CtKey::Left => KeyCode::Left,
        CtKey::Right => KeyCode::Right,
        CtKey::PageUp => KeyCode::PageUp,
        CtKey::PageDown => KeyCode::PageDown,
        CtKey::Home => KeyCode::Home,
        CtKey::End => KeyCode::End,
        CtKey::F(n) => KeyCode::F(n),
        _ => return None,
    };
    Some(KeyChord { code, ctrl, alt })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: CtKey, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn converts_keys_with_modifiers_and_ignores_releases() {
        assert_eq!(
            chord(ev(CtKey::Char('q'), KeyModifiers::NONE)),
            Some(KeyChord::ch('q'))
        );
        assert_eq!(
            chord(ev(CtKey::Char('G'), KeyModifiers::SHIFT)),
            Some(KeyChord::ch('G'))
        );
        assert_eq!(
            chord(ev(CtKey::Char('c'), KeyModifiers::CONTROL)),
            Some(KeyChord::ctrl('c'))
        );
        assert_eq!(
            chord(ev(CtKey::Tab, KeyModifiers::SHIFT)),
            Some(KeyChord::plain(KeyCode::BackTab))
        );
        let mut release = ev(CtKey::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(chord(release), None);
        assert_eq!(chord(ev(CtKey::CapsLock, KeyModifiers::NONE)), None);
    }
}
