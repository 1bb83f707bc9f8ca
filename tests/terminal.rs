//! The terminal is restored on every exit path: the real binary in a pseudo-terminal,
//! after a panic, SIGTERM, SIGHUP and `q`. And bad kubeconfigs never touch the terminal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::{BIN, PtyRun, find_last, kubeconfig};

const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
const HIDE_CURSOR: &[u8] = b"\x1b[?25l";

fn start(extra: &[&str]) -> (tempfile::TempDir, PtyRun) {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1: the UI must start anyway.
    let kc = kubeconfig(dir.path(), "http://127.0.0.1:1");
    let log = dir.path().join("log");
    let mut args = vec!["--log-file", log.to_str().unwrap()];
    args.extend_from_slice(extra);
    let home = dir.path().to_str().unwrap().to_string();
    let run = PtyRun::spawn(
        &args,
        &[("KUBECONFIG", kc.to_str().unwrap()), ("HOME", &home)],
        100,
        30,
    );
    (dir, run)
}

fn drew_the_ui(out: &[u8]) -> bool {
    String::from_utf8_lossy(out).contains("Rollouts")
}

/// After the run, the screen mode was left last and the pty is cooked again.
fn assert_restored(run: &PtyRun) {
    let out = &run.output;
    let entered = find_last(out, ENTER_ALT).expect("never entered the alternate screen");
    let left = find_last(out, LEAVE_ALT).expect("never left the alternate screen");
    assert!(
        left > entered,
        "left the alternate screen before entering it"
    );
    let tail = &out[left..];
    assert!(
        find_last(tail, HIDE_CURSOR).is_none(),
        "cursor hidden after restore"
    );
    assert!(run.is_cooked(), "pty not back in canonical mode with echo");
}

#[test]
fn a_panic_restores_the_terminal_and_reports_on_the_normal_screen() {
    let (_dir, mut run) = start(&["--debug-panic"]);
    assert!(run.is_cooked());
    let status = run.finish(Duration::from_secs(20)).expect("did not exit");
    assert_eq!(status.code(), Some(101), "{}", run.text());
    assert_restored(&run);
    let left = find_last(&run.output, LEAVE_ALT).unwrap();
    let after = String::from_utf8_lossy(&run.output[left + LEAVE_ALT.len()..]).into_owned();
    // The only thing after leaving the alternate screen is the panic report itself.
    assert!(
        after.contains("--debug-panic"),
        "report missing after restore: {after:?}"
    );
    assert!(!after.contains("\x1b[?1049"), "{after:?}");
}

#[test]
fn q_quits_cleanly() {
    let (_dir, mut run) = start(&[]);
    assert!(
        run.wait_for(Duration::from_secs(60), drew_the_ui),
        "{}",
        run.text()
    );
    run.write(b"q");
    let status = run.finish(Duration::from_secs(10)).expect("q did not quit");
    assert_eq!(status.code(), Some(0));
    assert_restored(&run);
    assert!(
        run.output.ends_with(LEAVE_ALT),
        "{:?}",
        &run.text()[run.text().len().saturating_sub(40)..]
    );
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for sig in [
        nix::sys::signal::Signal::SIGTERM,
        nix::sys::signal::Signal::SIGHUP,
    ] {
        let (_dir, mut run) = start(&[]);
        assert!(
            run.wait_for(Duration::from_secs(60), drew_the_ui),
            "{}",
            run.text()
        );
        let pid = nix::unistd::Pid::from_raw(run.child.id() as i32);
        nix::sys::signal::kill(pid, sig).unwrap();
        let status = run
            .finish(Duration::from_secs(10))
            .expect("signal did not end it");
        assert_eq!(status.code(), Some(0), "{sig}");
        assert_restored(&run);
        assert!(run.output.ends_with(LEAVE_ALT), "{sig}");
    }
}

#[test]
fn ctrl_c_in_raw_mode_quits() {
    let (_dir, mut run) = start(&[]);
    assert!(run.wait_for(Duration::from_secs(60), drew_the_ui));
    run.write(b"\x03");
    let status = run
        .finish(Duration::from_secs(10))
        .expect("ctrl-c did not quit");
    assert_eq!(status.code(), Some(0));
    assert_restored(&run);
}

/// Runs the binary with pipes (no terminal) and returns (status, stdout, stderr).
fn run_plain(args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn kubeconfig_problems_are_one_clear_line_and_exit_2_without_touching_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().as_os_str();
    let kc = kubeconfig(dir.path(), "http://127.0.0.1:1");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "clusters: [ {{{ nope").unwrap();
    let none = dir.path().join("none");
    type Env<'a> = Vec<(&'a str, &'a std::ffi::OsStr)>;
    let cases: Vec<(Vec<&str>, Env, &str)> = vec![
        (vec![], vec![("HOME", home)], ".kube/config"),
        (
            vec![],
            vec![("HOME", home), ("KUBECONFIG", none.as_os_str())],
            "none",
        ),
        (
            vec![],
            vec![("HOME", home), ("KUBECONFIG", bad.as_os_str())],
            "bad.yaml",
        ),
        (
            vec!["--context", "mars"],
            vec![("HOME", home), ("KUBECONFIG", kc.as_os_str())],
            "`mars`",
        ),
    ];
    for (args, env, needle) in cases {
        let env: Vec<(&str, &std::ffi::OsStr)> = env;
        let (code, stdout, stderr) = run_plain(&args, &env);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{stdout:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
        assert!(stderr.contains("shipdeck demo"), "{stderr}");
        assert!(
            !stderr.contains('\x1b'),
            "the terminal was touched: {stderr:?}"
        );
    }
}
