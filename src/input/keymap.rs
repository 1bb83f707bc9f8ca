//! The one keymap table: key → intent per scope. It drives key handling, the footer hints,
//! the `?` help and read-only filtering, and it is rebindable in config by intent name.

use std::collections::{BTreeMap, HashMap};

use super::intent::{Intent, Scope};
use super::key::KeyChord;

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub scope: Scope,
    pub chord: KeyChord,
    pub intent: Intent,
}

impl Binding {
    pub fn description(&self) -> &'static str {
        self.intent.description()
    }

    pub fn dangerous(&self) -> bool {
        self.intent.dangerous()
    }
}

/// Why a `[keys.*]` section was refused. `path` is the config key (`keys.rollout.x`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error(
        "unknown key scope `{scope}`; scopes are: global, rollout, alerts, flags, audit, dialog, input"
    )]
    UnknownScope { path: String, scope: String },
    #[error("{reason}")]
    BadKey { path: String, reason: String },
    #[error(
        "unknown intent `{intent}`; see `shipdeck --help` or the `?` screen for intent names (or \"none\" to unbind)"
    )]
    UnknownIntent { path: String, intent: String },
    #[error(
        "intent `{intent}` belongs to scope `{belongs}`, not `{scope}`; move it to [keys.{belongs}]"
    )]
    WrongScope {
        path: String,
        intent: String,
        scope: Scope,
        belongs: Scope,
    },
    #[error("key `{key}` is bound twice in scope `{scope}` (to `{first}` and `{second}`)")]
    DuplicateKey {
        path: String,
        key: String,
        scope: Scope,
        first: Intent,
        second: Intent,
    },
    #[error(
        "key `{key}` is the dangerous `{intent}` in scope `{scope}` and may not mean `{other}` in scope `{other_scope}`"
    )]
    DangerousReuse {
        path: String,
        key: String,
        scope: Scope,
        intent: Intent,
        other_scope: Scope,
        other: Intent,
    },
}

impl KeymapError {
    /// The dotted config path of the offending entry.
    pub fn path(&self) -> &str {
        match self {
            Self::UnknownScope { path, .. }
            | Self::BadKey { path, .. }
            | Self::UnknownIntent { path, .. }
            | Self::WrongScope { path, .. }
            | Self::DuplicateKey { path, .. }
            | Self::DangerousReuse { path, .. } => path,
        }
    }
}

/// The default bindings, as PRODUCT.md lists them.
const DEFAULTS: &[(&str, Intent)] = &[
    ("?", Intent::Help),
    (":", Intent::Palette),
    ("/", Intent::Filter),
    ("esc", Intent::Back),
    ("enter", Intent::Open),
    ("j", Intent::Down),
    ("down", Intent::Down),
    ("k", Intent::Up),
    ("up", Intent::Up),
    ("pgdn", Intent::PageDown),
    ("pgup", Intent::PageUp),
    ("g", Intent::Top),
    ("home", Intent::Top),
    ("G", Intent::Bottom),
    ("end", Intent::Bottom),
    ("tab", Intent::NextPanel),
    ("1", Intent::ScreenRollouts),
    ("2", Intent::ScreenAlerts),
    ("3", Intent::ScreenFlags),
    ("4", Intent::ScreenAudit),
    ("M", Intent::PlatformReadOnly),
    ("q", Intent::Quit),
    ("ctrl-c", Intent::Quit),
    ("a", Intent::Approve),
    ("P", Intent::PromoteFull),
    ("p", Intent::PauseResume),
    ("x", Intent::Abort),
    ("r", Intent::Retry),
    ("R", Intent::Rollback),
    ("u", Intent::Undo),
    ("A", Intent::Acknowledge),
    ("t", Intent::ToggleFlag),
    ("s", Intent::SortFlags),
    ("enter", Intent::Confirm),
    ("esc", Intent::Cancel),
    ("tab", Intent::FocusNext),
    ("enter", Intent::Accept),
    ("esc", Intent::Dismiss),
    ("tab", Intent::Complete),
    ("up", Intent::PrevItem),
    ("down", Intent::NextItem),
];

#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: Vec<Binding>,
    index: HashMap<(Scope, KeyChord), Intent>,
}

impl Default for KeyMap {
    fn default() -> Self {
        let bindings = DEFAULTS
            .iter()
            .filter_map(|(key, intent)| {
                KeyChord::parse(key).ok().map(|chord| Binding {
                    scope: intent.scope(),
                    chord,
                    intent: *intent,
                })
            })
            .collect();
        Self::from_bindings(bindings)
    }
}

impl KeyMap {
    fn from_bindings(bindings: Vec<Binding>) -> Self {
        let index = bindings
            .iter()
            .map(|b| ((b.scope, b.chord), b.intent))
            .collect();
        Self { bindings, index }
    }

    /// Applies `[keys.<scope>] "<key>" = "<intent>"` on top of the defaults. An intent named
    /// in a scope loses its default keys there; a key bound in config takes over that key in
    /// its scope; `"none"` unbinds a key.
    pub fn with_overrides(
        overrides: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Result<Self, KeymapError> {
        let mut bindings = Self::default().bindings;
        for (scope_name, entries) in overrides {
            let path_of = |key: &str| format!("keys.{scope_name}.{key}");
            let scope = Scope::parse(scope_name).ok_or_else(|| KeymapError::UnknownScope {
                path: format!("keys.{scope_name}"),
                scope: scope_name.clone(),
            })?;
            let mut seen: BTreeMap<KeyChord, (Intent, String)> = BTreeMap::new();
            let mut unbound = Vec::new();
            for (key, intent_name) in entries {
                let chord = KeyChord::parse(key).map_err(|reason| KeymapError::BadKey {
                    path: path_of(key),
                    reason,
                })?;
                if intent_name == "none" {
                    unbound.push(chord);
                    continue;
                }
                let intent =
                    Intent::parse(intent_name).ok_or_else(|| KeymapError::UnknownIntent {
                        path: path_of(key),
                        intent: intent_name.clone(),
                    })?;
                if intent.scope() != scope {
                    return Err(KeymapError::WrongScope {
                        path: path_of(key),
                        intent: intent_name.clone(),
                        scope,
                        belongs: intent.scope(),
                    });
                }
                if let Some((first, _)) = seen.get(&chord) {
                    return Err(KeymapError::DuplicateKey {
                        path: path_of(key),
                        key: key.clone(),
                        scope,
                        first: *first,
                        second: intent,
                    });
                }
                seen.insert(chord, (intent, key.clone()));
            }
            let renamed: Vec<Intent> = seen.values().map(|(i, _)| *i).collect();
            bindings.retain(|b| {
                b.scope != scope
                    || !(renamed.contains(&b.intent)
                        || seen.contains_key(&b.chord)
                        || unbound.contains(&b.chord))
            });
            bindings.extend(seen.iter().map(|(chord, (intent, _))| Binding {
                scope,
                chord: *chord,
                intent: *intent,
            }));
        }
        check_dangerous_reuse(&bindings, overrides)?;
        Ok(Self::from_bindings(bindings))
    }

    /// The intent a key means in the given scope stack (widest first, narrowest last).
    pub fn resolve(&self, stack: &[Scope], chord: KeyChord) -> Option<Intent> {
        for scope in stack.iter().rev() {
            if let Some(intent) = self.index.get(&(*scope, chord)) {
                return Some(*intent);
            }
            if scope.is_modal() {
                return None;
            }
        }
        None
    }

    /// Every binding in effect for the stack, narrowest scope first; a key shadowed by a
    /// narrower scope is left out, and so are dangerous ones when `read_only`.
    pub fn in_effect(&self, stack: &[Scope], read_only: bool) -> Vec<Binding> {
        let mut out: Vec<Binding> = Vec::new();
        for scope in stack.iter().rev() {
            for b in self.bindings.iter().filter(|b| b.scope == *scope) {
                if out.iter().any(|o| o.chord == b.chord) || (read_only && b.dangerous()) {
                    continue;
                }
                out.push(*b);
            }
            if scope.is_modal() {
                break;
            }
        }
        out
    }

    /// The keys bound to an intent in its scope, in table order.
    pub fn keys_for(&self, intent: Intent) -> Vec<KeyChord> {
        self.bindings
            .iter()
            .filter(|b| b.intent == intent)
            .map(|b| b.chord)
            .collect()
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }
}

fn check_dangerous_reuse(
    bindings: &[Binding],
    overrides: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<(), KeymapError> {
    for d in bindings
        .iter()
        .filter(|b| b.dangerous() && b.scope.is_screen_or_global())
    {
        if let Some(o) = bindings.iter().find(|o| {
            o.chord == d.chord
                && o.intent != d.intent
                && o.scope != d.scope
                && o.scope.is_screen_or_global()
        }) {
            // Name the entry the user wrote (either side), so the error points into the file.
            let path = [(o.scope, o.chord), (d.scope, d.chord)]
                .iter()
                .find_map(|(scope, chord)| {
                    overrides.get(scope.name()).and_then(|entries| {
                        entries
                            .keys()
                            .find(|k| KeyChord::parse(k).ok() == Some(*chord))
                            .map(|k| format!("keys.{}.{k}", scope.name()))
                    })
                })
                .unwrap_or_else(|| format!("keys.{}", o.scope.name()));
            return Err(KeymapError::DangerousReuse {
                path,
                key: d.chord.to_string(),
                scope: d.scope,
                intent: d.intent,
                other_scope: o.scope,
                other: o.intent,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
