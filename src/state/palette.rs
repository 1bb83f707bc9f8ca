//! The `:` command palette: the commands that exist, completion, and parsing.

use tui_input::{Input, InputRequest};

use crate::config::is_dns_label;
use crate::domain::scope::NamespaceScope;

use super::Screen;
use super::actions::AskOptions;
use super::rollouts::SortKey;
use crate::domain::actions::Action;

pub struct CommandSpec {
    pub name: &'static str,
    pub args: &'static str,
    pub description: &'static str,
    /// Changes the cluster: hidden and refused in a read-only session.
    pub dangerous: bool,
}

/// Every palette command of this version, in the order the palette lists them.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "rollouts",
        args: "",
        description: "show the rollouts",
        dangerous: false,
    },
    CommandSpec {
        name: "alerts",
        args: "",
        description: "show the regression alerts",
        dangerous: false,
    },
    CommandSpec {
        name: "flags",
        args: "",
        description: "show the feature flags",
        dangerous: false,
    },
    CommandSpec {
        name: "audit",
        args: "",
        description: "show the audit log",
        dangerous: false,
    },
    CommandSpec {
        name: "ns",
        args: "<namespace>…|all",
        description: "watch other namespaces",
        dangerous: false,
    },
    CommandSpec {
        name: "ctx",
        args: "<context>",
        description: "switch to another kube context",
        dangerous: false,
    },
    CommandSpec {
        name: "sort",
        args: "<column>",
        description: "sort by namespace, name, phase, age or kind",
        dangerous: false,
    },
    CommandSpec {
        name: "theme",
        args: "<name>",
        description: "switch the colour theme",
        dangerous: false,
    },
    CommandSpec {
        name: "approve",
        args: "",
        description: "approve / promote the selected rollout one step",
        dangerous: true,
    },
    CommandSpec {
        name: "promote-full",
        args: "",
        description: "promote the selected rollout fully (skips every step)",
        dangerous: true,
    },
    CommandSpec {
        name: "pause",
        args: "",
        description: "pause the selected rollout",
        dangerous: true,
    },
    CommandSpec {
        name: "resume",
        args: "",
        description: "resume the selected rollout (never a step)",
        dangerous: true,
    },
    CommandSpec {
        name: "abort",
        args: "",
        description: "abort the selected rollout (traffic back to stable)",
        dangerous: true,
    },
    CommandSpec {
        name: "retry",
        args: "",
        description: "retry the selected aborted rollout",
        dangerous: true,
    },
    CommandSpec {
        name: "restart",
        args: "",
        description: "restart every pod of the selected rollout",
        dangerous: true,
    },
    CommandSpec {
        name: "undo",
        args: "[revision]",
        description: "roll the template back (default: the previous revision)",
        dangerous: true,
    },
    CommandSpec {
        name: "terminate",
        args: "[analysisrun]",
        description: "terminate the running analysis of the selected rollout",
        dangerous: true,
    },
    CommandSpec {
        name: "disable-flag",
        args: "",
        description: "set the selected flagd flag DISABLED (apps fall back to their coded default)",
        dangerous: true,
    },
    CommandSpec {
        name: "enable-flag",
        args: "",
        description: "set the selected flagd flag ENABLED again",
        dangerous: true,
    },
    CommandSpec {
        name: "readonly",
        args: "",
        description: "make this session read-only (until restart)",
        dangerous: false,
    },
    CommandSpec {
        name: "help",
        args: "",
        description: "show the keys in effect",
        dangerous: false,
    },
    CommandSpec {
        name: "q",
        args: "",
        description: "quit shipdeck",
        dangerous: false,
    },
];

/// What a palette line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteAction {
    Screen(Screen),
    Namespaces(NamespaceScope),
    Context(String),
    Sort(SortKey),
    Theme(String),
    ReadOnly,
    Help,
    Quit,
    /// A rollout action on the selected rollout.
    Act(Action, AskOptions),
    /// `state` of the selected flagd flag: enabled or disabled.
    FlagState(bool),
}

/// Words the palette can complete arguments from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompletionWords {
    /// The session is read-only: dangerous commands are hidden and refused.
    pub read_only: bool,
    pub namespaces: Vec<String>,
    pub contexts: Vec<String>,
    pub themes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The whole line the suggestion completes to.
    pub line: String,
    pub label: String,
    pub description: String,
}

#[derive(Debug, Clone, Default)]
pub struct Palette {
    pub input: Input,
    pub selected: usize,
}

impl Palette {
    pub fn edit(&mut self, req: InputRequest) {
        self.input.handle(req);
        self.selected = 0;
    }

    pub fn suggestions(&self, words: &CompletionWords) -> Vec<Suggestion> {
        suggestions(self.input.value(), words)
    }

    /// Tab: take the selected suggestion into the line.
    pub fn complete(&mut self, words: &CompletionWords) {
        let list = self.suggestions(words);
        if let Some(s) = list.get(self.selected.min(list.len().saturating_sub(1))) {
            self.input = Input::new(s.line.clone());
            self.selected = 0;
        }
    }

    pub fn step(&mut self, delta: isize, words: &CompletionWords) {
        let n = self.suggestions(words).len();
        if n > 0 {
            self.selected = (self.selected as isize + delta).rem_euclid(n as isize) as usize;
        }
    }
}

pub fn suggestions(line: &str, words: &CompletionWords) -> Vec<Suggestion> {
    let trimmed = line.trim_start();
    match trimmed.split_once(' ') {
        None => COMMANDS
            .iter()
            .filter(|c| c.name.starts_with(trimmed) && !(c.dangerous && words.read_only))
            .map(|c| Suggestion {
                line: if c.args.is_empty() {
                    c.name.to_string()
                } else {
                    format!("{} ", c.name)
                },
                label: format!("{} {}", c.name, c.args).trim_end().to_string(),
                description: c.description.to_string(),
            })
            .collect(),
        Some((cmd, rest)) => {
            let pool: Vec<String> = match cmd {
                "ns" => std::iter::once("all".to_string())
                    .chain(words.namespaces.iter().cloned())
                    .collect(),
                "ctx" => words.contexts.clone(),
                "theme" => words.themes.clone(),
                "sort" => SortKey::ALL.iter().map(|k| k.name().to_string()).collect(),
                _ => Vec::new(),
            };
            let partial = rest.trim_start();
            pool.into_iter()
                .filter(|w| w.starts_with(partial) && w != partial)
                .map(|w| Suggestion {
                    line: format!("{cmd} {w}"),
                    label: w.clone(),
                    description: String::new(),
                })
                .collect()
        }
    }
}

/// Parses a palette line; the error says what is wrong and what would work.
pub fn parse(line: &str, words: &CompletionWords) -> Result<PaletteAction, String> {
    let mut parts = line.split_whitespace();
    let Some(cmd) = parts.next() else {
        return Err("empty command; type a command or press Esc".to_string());
    };
    let args: Vec<&str> = parts.collect();
    let no_args = |action: PaletteAction| {
        if args.is_empty() {
            Ok(action)
        } else {
            Err(format!("`{cmd}` takes no arguments"))
        }
    };
    let one_arg = |what: &str| match args.as_slice() {
        [a] => Ok(a.to_string()),
        _ => Err(format!("`{cmd}` needs one {what}")),
    };
    if let Some(spec) = COMMANDS.iter().find(|c| c.name == cmd)
        && spec.dangerous
    {
        if words.read_only {
            return Err(format!("read-only session: `{cmd}` is disabled"));
        }
        return parse_action(cmd, &args);
    }
    match cmd {
        "rollouts" => no_args(PaletteAction::Screen(Screen::Rollouts)),
        "alerts" => no_args(PaletteAction::Screen(Screen::Alerts)),
        "flags" => no_args(PaletteAction::Screen(Screen::Flags)),
        "audit" => no_args(PaletteAction::Screen(Screen::Audit)),
        "readonly" => no_args(PaletteAction::ReadOnly),
        "help" => no_args(PaletteAction::Help),
        "q" | "quit" => no_args(PaletteAction::Quit),
        "ns" => {
            let list: Vec<String> = args
                .iter()
                .flat_map(|a| a.split(','))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            match list.as_slice() {
                [] => Err("`ns` needs a namespace (or `all`)".to_string()),
                [all] if all == "all" => Ok(PaletteAction::Namespaces(NamespaceScope::All)),
                _ => match list.iter().find(|n| !is_dns_label(n)) {
                    Some(bad) => Err(format!("`{bad}` is not a namespace name")),
                    None => Ok(PaletteAction::Namespaces(NamespaceScope::Some(list))),
                },
            }
        }
        "ctx" => {
            let name = one_arg("context name")?;
            if words.contexts.contains(&name) {
                Ok(PaletteAction::Context(name))
            } else {
                Err(format!(
                    "no context `{name}` in the kubeconfig; contexts: {}",
                    words.contexts.join(", ")
                ))
            }
        }
        "sort" => {
            let col = one_arg("column")?;
            SortKey::parse(&col)
                .map(PaletteAction::Sort)
                .ok_or_else(|| {
                    format!("cannot sort by `{col}`; columns: namespace, name, phase, age, kind")
                })
        }
        "theme" => Ok(PaletteAction::Theme(one_arg("theme name or path")?)),
        other => Err(format!(
            "unknown command `{other}`; press Tab to see the commands"
        )),
    }
}

/// A rollout action command (`abort`, `undo 6`, `terminate payments-7f9-3`).
fn parse_action(cmd: &str, args: &[&str]) -> Result<PaletteAction, String> {
    if let Some(enabled) = match cmd {
        "disable-flag" => Some(false),
        "enable-flag" => Some(true),
        _ => None,
    } {
        return if args.is_empty() {
            Ok(PaletteAction::FlagState(enabled))
        } else {
            Err(format!("`{cmd}` takes no arguments"))
        };
    }
    let action = match cmd {
        "approve" => Action::Approve,
        "promote-full" => Action::PromoteFull,
        "pause" => Action::Pause,
        "resume" => Action::Resume,
        "abort" => Action::Abort,
        "retry" => Action::Retry,
        "restart" => Action::Restart,
        "undo" => Action::Undo,
        _ => Action::Terminate,
    };
    let mut opts = AskOptions::default();
    match (action, args) {
        (_, []) => {}
        (Action::Undo, [rev]) => {
            let n = rev
                .trim_start_matches("revision:")
                .parse::<u64>()
                .map_err(|_| format!("`{rev}` is not a revision number; e.g. `undo 6`"))?;
            opts.undo_to = Some(n);
        }
        (Action::Terminate, [run]) => opts.analysis_run = Some((*run).to_string()),
        (Action::Undo | Action::Terminate, _) => {
            return Err(format!("`{cmd}` takes at most one argument"));
        }
        _ => return Err(format!("`{cmd}` takes no arguments")),
    }
    Ok(PaletteAction::Act(action, opts))
}

#[cfg(test)]
#[path = "palette_tests.rs"]
mod tests;
