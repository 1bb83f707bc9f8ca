//! The real binary in a real terminal (tmux), read back as the screen a person sees.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    sock: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    /// Starts `cmd` (a shell command line) in a private tmux server; `None` (after the loud
    /// message, or a failure under CI) when tmux is missing.
    pub fn start(cmd: &str, width: u16, height: u16) -> Option<Self> {
        if !super::sim::require_tool("tmux") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("sock");
        let ok = Command::new("tmux")
            .args([
                "-S",
                sock.to_str().unwrap(),
                "-f",
                "/dev/null",
                "new-session",
                "-d",
            ])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .arg(cmd)
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux did not start");
        Some(Self { sock, _dir: dir })
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-S", self.sock.to_str().unwrap()]);
        c
    }

    pub fn screen(&self) -> String {
        let out = self.tmux().args(["capture-pane", "-p"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends keys one at a time (tmux key names: `Enter`, `Escape`, `q`, `:`).
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux().args(["send-keys", k]).status().unwrap();
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Sends keys in one tmux call: they reach the program within a millisecond or two.
    pub fn keys_at_once(&self, keys: &[&str]) {
        self.tmux().arg("send-keys").args(keys).status().unwrap();
    }

    /// Types literal text.
    pub fn text(&self, text: &str) {
        self.tmux()
            .args(["send-keys", "-l", text])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Polls the screen until `pred` holds; panics with the last screen after `timeout`.
    pub fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        mut pred: impl FnMut(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

/// The screen line containing every needle.
pub fn line<'a>(screen: &'a str, needles: &[&str]) -> Option<&'a str> {
    screen
        .lines()
        .find(|l| needles.iter().all(|n| l.contains(n)))
}
