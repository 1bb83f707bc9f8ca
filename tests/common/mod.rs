//! Shared test helpers: a pseudo-terminal harness for the real binary, and a throwaway
//! kubeconfig.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::pty::{OpenptyResult, Winsize, openpty};
use nix::sys::termios::{LocalFlags, tcgetattr};

pub const BIN: &str = env!("CARGO_BIN_EXE_shipdeck");

pub mod demo;
pub mod headless;
pub mod prometheus;
pub mod sim;
pub mod sweep;
pub mod tmux;

/// A kubeconfig with two contexts whose server is `server`.
pub fn kubeconfig(dir: &Path, server: &str) -> PathBuf {
    let p = dir.join("kubeconfig");
    std::fs::write(
        &p,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: dev\nclusters:\n- name: c1\n  cluster:\n    server: {server}\ncontexts:\n- name: dev\n  context: {{cluster: c1, user: alice, namespace: casino-prod}}\n- name: prod\n  context: {{cluster: c1, user: bob}}\nusers:\n- name: alice\n  user: {{token: abc}}\n- name: bob\n  user: {{token: def}}\n"
        ),
    )
    .unwrap();
    p
}

/// The binary running in a pseudo-terminal.
pub struct PtyRun {
    pub child: Child,
    pub master: OwnedFd,
    rx: mpsc::Receiver<Vec<u8>>,
    pub output: Vec<u8>,
}

impl PtyRun {
    pub fn spawn(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Self {
        let ws = Winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let OpenptyResult { master, slave } = openpty(&ws, None).unwrap();
        let slave = File::from(slave);
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TERM", "xterm-256color")
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        drop(cmd);
        let mut reader = File::from(master.try_clone().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            master,
            rx,
            output: Vec::new(),
        }
    }

    /// Reads output until `pred` holds or the time is up; returns whether it held.
    pub fn wait_for(&mut self, timeout: Duration, pred: impl Fn(&[u8]) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        while !pred(&self.output) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.rx.recv_timeout(left.min(Duration::from_millis(50))) {
                Ok(chunk) => self.output.extend(chunk),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return pred(&self.output),
            }
        }
        true
    }

    pub fn write(&self, bytes: &[u8]) {
        nix::unistd::write(&self.master, bytes).unwrap();
    }

    /// Waits for the process to exit (bounded) and collects the rest of the output.
    pub fn finish(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break Some(s);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break None;
            }
            self.wait_for(Duration::from_millis(50), |_| false);
        };
        // Drain what is left.
        while let Ok(chunk) = self.rx.recv_timeout(Duration::from_millis(200)) {
            self.output.extend(chunk);
        }
        status
    }

    /// The pty's line discipline: canonical mode and echo on, as a shell expects.
    pub fn is_cooked(&self) -> bool {
        let t = tcgetattr(&self.master).unwrap();
        t.local_flags.contains(LocalFlags::ICANON) && t.local_flags.contains(LocalFlags::ECHO)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.output).into_owned()
    }
}

pub fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The text with CSI escape sequences (colours, cursor moves) removed.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if ('@'..='~').contains(&d) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
