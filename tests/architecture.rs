//! The module table of the architecture, enforced: which module may import which, which
//! crates the pure core may not touch, no clock reads in the core, no colour literal
//! outside `theme/`, and `sim/` used only by the runtime and the binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// (module, internal modules it may use, external crates it may not use)
const TABLE: &[(&str, &[&str], &[&str])] = &[
    (
        "domain",
        &["domain"],
        &[
            "ratatui",
            "crossterm",
            "tokio",
            "kube",
            "k8s_openapi",
            "reqwest",
            "tui_input",
            "futures",
            "nix",
            "clap",
            "toml",
            "tracing",
            "humantime",
        ],
    ),
    (
        "input",
        &["input", "domain"],
        &[
            "ratatui",
            "crossterm",
            "tokio",
            "kube",
            "k8s_openapi",
            "reqwest",
            "futures",
            "nix",
            "tracing",
        ],
    ),
    (
        "state",
        &["state", "domain", "input", "config"],
        &[
            "ratatui",
            "crossterm",
            "tokio",
            "kube",
            "k8s_openapi",
            "reqwest",
            "futures",
            "nix",
            "tracing",
        ],
    ),
    (
        "ui",
        &["ui", "state", "domain", "theme", "input"],
        &[
            "crossterm",
            "tokio",
            "kube",
            "k8s_openapi",
            "reqwest",
            "futures",
            "nix",
            "tracing",
        ],
    ),
    (
        "theme",
        &["theme", "domain"],
        &[
            "crossterm",
            "tokio",
            "kube",
            "k8s_openapi",
            "reqwest",
            "futures",
            "nix",
        ],
    ),
    (
        "config",
        &["config", "domain"],
        &[
            "ratatui",
            "crossterm",
            "tokio",
            "kube",
            "k8s_openapi",
            "reqwest",
            "futures",
            "nix",
        ],
    ),
    (
        "cli",
        &["cli", "domain", "config"],
        &[
            "ratatui",
            "crossterm",
            "tokio",
            "kube",
            "k8s_openapi",
            "reqwest",
        ],
    ),
    (
        "adapters",
        &["adapters", "domain", "state", "config", "input"],
        &[],
    ),
    (
        "runtime",
        &[
            "runtime", "adapters", "domain", "state", "config", "input", "theme", "ui", "cli",
            "sim",
        ],
        &[],
    ),
    (
        "sim",
        &["sim", "domain", "config"],
        &["ratatui", "crossterm"],
    ),
];

/// Modules where time must arrive as a value.
const CLOCK_FREE: &[&str] = &["domain", "input", "state", "ui", "theme", "config"];
const CLOCK_READS: &[&str] = &["Utc::now", "Local::now", "SystemTime::now", "Instant::now"];

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Violation {
    file: String,
    line: usize,
    what: String,
}

fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// Path roots (`tokio::`, `crate::state::`) used in code, with their line numbers.
fn roots(text: &str) -> Vec<(usize, String, Option<String>)> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or("");
        let bytes: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            let prev_is_path = i >= 2 && bytes[i - 1] == ':' && bytes[i - 2] == ':';
            let prev_is_ident = i >= 1 && (bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_');
            if (c.is_ascii_lowercase() || c == '_') && !prev_is_path && !prev_is_ident {
                let start = i;
                while i < bytes.len() && (bytes[i].is_alphanumeric() || bytes[i] == '_') {
                    i += 1;
                }
                let word: String = bytes[start..i].iter().collect();
                if i + 1 < bytes.len() && bytes[i] == ':' && bytes[i + 1] == ':' {
                    let next: String = bytes[i + 2..]
                        .iter()
                        .take_while(|c| c.is_alphanumeric() || **c == '_')
                        .collect();
                    out.push((n + 1, word, Some(next).filter(|s| !s.is_empty())));
                }
                continue;
            }
            i += 1;
        }
    }
    out
}

fn check_file(module: &str, file: &str, text: &str) -> Vec<Violation> {
    let mut v = Vec::new();
    let Some((_, allowed, forbidden)) = TABLE.iter().find(|(m, _, _)| *m == module) else {
        return v;
    };
    // Inline test modules may use what tests need; only production code is checked.
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    for (line, root, next) in roots(code) {
        if root == "crate" {
            if let Some(target) = next.filter(|t| !allowed.contains(&t.as_str())) {
                v.push(Violation {
                    file: file.into(),
                    line,
                    what: format!("{module} uses crate::{target}"),
                });
            }
        } else if forbidden.contains(&root.as_str()) {
            v.push(Violation {
                file: file.into(),
                line,
                what: format!("{module} uses {root}"),
            });
        }
    }
    if CLOCK_FREE.contains(&module) {
        for (n, l) in code.lines().enumerate() {
            for read in CLOCK_READS {
                if l.split("//").next().unwrap_or("").contains(read) {
                    v.push(Violation {
                        file: file.into(),
                        line: n + 1,
                        what: format!("{module} reads the clock ({read})"),
                    });
                }
            }
        }
    }
    if module != "theme" {
        for (n, l) in code.lines().enumerate() {
            if l.split("//").next().unwrap_or("").contains("Color::") {
                v.push(Violation {
                    file: file.into(),
                    line: n + 1,
                    what: format!("{module} uses a Color:: literal"),
                });
            }
        }
    }
    v
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_import_respects_the_module_table() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut seen = BTreeSet::new();
    let mut violations = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let module = module_of(rel).unwrap();
        if module == "main" || module == "lib" {
            continue;
        }
        assert!(
            TABLE.iter().any(|(m, _, _)| *m == module),
            "src/{} belongs to module `{module}`, which the architecture table does not list",
            rel.display()
        );
        seen.insert(module.clone());
        let text = std::fs::read_to_string(f).unwrap();
        violations.extend(check_file(&module, &rel.display().to_string(), &text));
    }
    assert!(seen.len() >= 8, "the walk found too few modules: {seen:?}");
    assert!(
        violations.is_empty(),
        "architecture violations:\n{violations:#?}"
    );
}

#[test]
fn the_check_catches_what_it_should() {
    let bad = "use ratatui::widgets::Block;\nuse crate::adapters::kube;\nlet t = chrono::Utc::now();\nlet c = Color::Red;\n";
    let v = check_file("domain", "x.rs", bad);
    let whats: Vec<_> = v.iter().map(|v| v.what.as_str()).collect();
    assert!(whats.contains(&"domain uses ratatui"), "{whats:?}");
    assert!(whats.contains(&"domain uses crate::adapters"), "{whats:?}");
    assert!(
        whats.iter().any(|w| w.contains("reads the clock")),
        "{whats:?}"
    );
    assert!(whats.iter().any(|w| w.contains("Color::")), "{whats:?}");
    let v = check_file(
        "ui",
        "x.rs",
        "fn f() { tokio::spawn(async {}); crate::adapters::x(); }\n",
    );
    assert_eq!(v.len(), 2, "{v:?}");
    // Comments and test modules are not code under the rule.
    assert!(
        check_file(
            "domain",
            "x.rs",
            "// tokio::spawn\n#[cfg(test)]\nmod t { use ratatui::X; }\n"
        )
        .is_empty()
    );
    // Allowed imports pass.
    assert!(
        check_file(
            "state",
            "x.rs",
            "use crate::domain::rollout::Row;\nuse crate::input::KeyMap;\n"
        )
        .is_empty()
    );
}
