//! The README's fresh-machine test command is exactly what `.ci/run` runs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The first line of the first ```sh block after `marker`.
fn command_after(text: &str, marker: &str) -> String {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("README lacks {marker:?}"));
    let rest = &text[at..];
    let block = &rest[rest.find("```sh\n").unwrap() + 6..];
    block.lines().next().unwrap().trim().to_string()
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = read("README.md");
    let cmd = command_after(&readme, "Run the tests:");
    assert!(cmd.starts_with("cargo test"), "{cmd}");
    let ci = read(".ci/run");
    assert!(
        ci.lines().any(|l| l.trim() == cmd),
        ".ci/run does not run the README's test command `{cmd}`"
    );
    let demo = command_after(&readme, "Run shipdeck on its embedded demo world");
    assert!(demo.contains("demo"), "{demo}");
}
