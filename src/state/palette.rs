//! The `:` command palette: the commands that exist, completion, and parsing.

use tui_input::{Input, InputRequest};

use crate::config::is_dns_label;
use crate::domain::scope::NamespaceScope;

use super::Screen;
use super::rollouts::SortKey;

pub struct CommandSpec {
    pub name: &'static str,
    pub args: &'static str,
    pub description: &'static str,
}

/// Every palette command of this version, in the order the palette lists them.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "rollouts",
        args: "",
        description: "show the rollouts",
    },
    CommandSpec {
        name: "alerts",
        args: "",
        description: "show the regression alerts",
    },
    CommandSpec {
        name: "flags",
        args: "",
        description: "show the feature flags",
    },
    CommandSpec {
        name: "audit",
        args: "",
        description: "show the audit log",
    },
    CommandSpec {
        name: "ns",
        args: "<namespace>…|all",
        description: "watch other namespaces",
    },
    CommandSpec {
        name: "ctx",
        args: "<context>",
        description: "switch to another kube context",
    },
    CommandSpec {
        name: "sort",
        args: "<column>",
        description: "sort by namespace, name, phase, age or kind",
    },
    CommandSpec {
        name: "theme",
        args: "<name>",
        description: "switch the colour theme",
    },
    CommandSpec {
        name: "readonly",
        args: "",
        description: "make this session read-only (until restart)",
    },
    CommandSpec {
        name: "help",
        args: "",
        description: "show the keys in effect",
    },
    CommandSpec {
        name: "q",
        args: "",
        description: "quit shipdeck",
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
}

/// Words the palette can complete arguments from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompletionWords {
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
            .filter(|c| c.name.starts_with(trimmed))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> CompletionWords {
        CompletionWords {
            namespaces: vec!["casino-prod".into(), "casino-staging".into()],
            contexts: vec!["prod".into(), "staging".into()],
            themes: vec!["default".into(), "light".into()],
        }
    }

    #[test]
    fn completes_commands_then_arguments() {
        let w = words();
        let s = suggestions("", &w);
        assert_eq!(s.len(), COMMANDS.len());
        let s = suggestions("th", &w);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].line, "theme ");
        let s = suggestions("ns casino-s", &w);
        assert_eq!(
            s.iter().map(|s| s.line.as_str()).collect::<Vec<_>>(),
            ["ns casino-staging"]
        );
        let s = suggestions("sort p", &w);
        assert_eq!(s[0].line, "sort phase");
        assert!(suggestions("zzz", &w).is_empty());
    }

    #[test]
    fn parses_every_command_and_explains_errors() {
        let w = words();
        assert_eq!(
            parse("alerts", &w),
            Ok(PaletteAction::Screen(Screen::Alerts))
        );
        assert_eq!(
            parse("ns all", &w),
            Ok(PaletteAction::Namespaces(NamespaceScope::All))
        );
        assert_eq!(
            parse("ns a,b c", &w),
            Ok(PaletteAction::Namespaces(NamespaceScope::Some(vec![
                "a".into(),
                "b".into(),
                "c".into()
            ])))
        );
        assert_eq!(
            parse("ctx prod", &w),
            Ok(PaletteAction::Context("prod".into()))
        );
        assert_eq!(parse("sort age", &w), Ok(PaletteAction::Sort(SortKey::Age)));
        assert_eq!(
            parse("theme light", &w),
            Ok(PaletteAction::Theme("light".into()))
        );
        assert_eq!(parse(" q ", &w), Ok(PaletteAction::Quit));
        assert!(parse("ctx nope", &w).unwrap_err().contains("prod, staging"));
        assert!(parse("sort colour", &w).unwrap_err().contains("columns"));
        assert!(parse("ns Bad_NS", &w).unwrap_err().contains("Bad_NS"));
        assert!(
            parse("alerts now", &w)
                .unwrap_err()
                .contains("no arguments")
        );
        assert!(
            parse("launch", &w)
                .unwrap_err()
                .contains("unknown command `launch`")
        );
        assert!(parse("", &w).is_err());
    }

    #[test]
    fn tab_takes_the_selected_suggestion() {
        let w = words();
        let mut p = Palette::default();
        p.edit(InputRequest::InsertChar('s'));
        p.step(1, &w);
        p.complete(&w);
        assert_eq!(p.input.value(), "sort ");
    }
}
