//! A key chord independent of the terminal library: parsed from and shown as text such as
//! `q`, `G`, `ctrl-c`, `enter`, `pgdn`, `shift-tab`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCode {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    F(u8),
}

/// A key with its modifiers. Shift is folded into the character (`G`, `?`), so only Ctrl and
/// Alt are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyChord {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeyChord {
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn ch(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// Parses `q`, `?`, `G`, `space`, `enter`, `esc`, `tab`, `shift-tab`, `backspace`,
    /// `delete`, `up`, `down`, `left`, `right`, `pgup`, `pgdn`, `home`, `end`, `f1`…`f12`,
    /// with optional `ctrl-` / `alt-` prefixes (case-insensitive names).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            (None, _) => {
                return Err(format!(
                    "`{text}` is empty; write a key such as `q` or `ctrl-c`"
                ));
            }
            _ => named(&rest.to_ascii_lowercase()).ok_or_else(|| {
                format!(
                    "`{text}` is not a key; use one character (`q`, `G`, `?`), a name (enter, esc, \
                     tab, shift-tab, space, backspace, delete, up, down, left, right, pgup, pgdn, \
                     home, end, f1…f12) and optional ctrl-/alt- prefixes"
                )
            })?,
        };
        Ok(Self { code, ctrl, alt })
    }
}

fn named(name: &str) -> Option<KeyCode> {
    Some(match name {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "shift-tab" | "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        f if f.len() >= 2 && f.starts_with('f') => {
            let n: u8 = f[1..].parse().ok()?;
            if (1..=12).contains(&n) {
                KeyCode::F(n)
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::F(n) => write!(f, "F{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_named_and_modified_keys() {
        assert_eq!(KeyChord::parse("q"), Ok(KeyChord::ch('q')));
        assert_eq!(KeyChord::parse("G"), Ok(KeyChord::ch('G')));
        assert_eq!(KeyChord::parse("?"), Ok(KeyChord::ch('?')));
        assert_eq!(KeyChord::parse("-"), Ok(KeyChord::ch('-')));
        assert_eq!(KeyChord::parse("ctrl-c"), Ok(KeyChord::ctrl('c')));
        assert_eq!(KeyChord::parse("Ctrl-C"), Ok(KeyChord::ctrl('c')));
        assert_eq!(
            KeyChord::parse("enter"),
            Ok(KeyChord::plain(KeyCode::Enter))
        );
        assert_eq!(
            KeyChord::parse("PgDn"),
            Ok(KeyChord::plain(KeyCode::PageDown))
        );
        assert_eq!(
            KeyChord::parse("shift-tab"),
            Ok(KeyChord::plain(KeyCode::BackTab))
        );
        assert_eq!(KeyChord::parse("f5"), Ok(KeyChord::plain(KeyCode::F(5))));
        let alt = KeyChord::parse("alt-x").unwrap();
        assert!(alt.alt && !alt.ctrl);
    }

    #[test]
    fn rejects_nonsense_with_a_hint() {
        for bad in ["", "hyper-q", "f13", "enterr", "ctrl-"] {
            let err = KeyChord::parse(bad).unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
    }

    #[test]
    fn display_round_trips_through_parse_for_simple_keys() {
        for k in ["q", "G", "ctrl-c", "enter", "esc", "pgup", "f2", "space"] {
            let chord = KeyChord::parse(k).unwrap();
            let shown = chord.to_string();
            assert_eq!(KeyChord::parse(&shown), Ok(chord), "{k} → {shown}");
        }
    }
}
