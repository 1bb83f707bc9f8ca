//! The audit trail: one JSON line per action attempt, appended and fsynced before the
//! attempt counts as recorded.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::domain::audit::AuditEntry;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot write the audit file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode the audit entry: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Appends `entry` to `path` (created with its directory, mode 0600 on Unix) and fsyncs.
pub fn append(path: &Path, entry: &AuditEntry) -> Result<(), AuditError> {
    let io = |source| AuditError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut line = serde_json::to_vec(entry)?;
    line.push(b'\n');
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts.open(path).map_err(io)?;
    // One write of the whole line: concurrent shipdecks never interleave within a line.
    file.write_all(&line).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(())
}

/// Every entry of the audit file, oldest first; a missing file has none. Lines that do not
/// parse (another version, a torn write) are skipped with a warning in the log.
pub fn read(path: &Path) -> Result<Vec<AuditEntry>, AuditError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(AuditError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut out = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str(line) {
            Ok(e) => out.push(e),
            Err(e) => tracing::warn!(line = n + 1, error = %e, "skipping an unreadable audit line"),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;
    use crate::domain::audit::{Outcome, RecordedRequest};

    fn entry(outcome: Outcome) -> AuditEntry {
        AuditEntry {
            time: chrono::Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap(),
            identity: "alice@example.com".into(),
            context: "prod".into(),
            namespace: "casino-prod".into(),
            name: "payments".into(),
            action: "abort".into(),
            requests: vec![RecordedRequest {
                verb: "PATCH".into(),
                path: "/apis/argoproj.io/v1alpha1/namespaces/casino-prod/rollouts/payments/status"
                    .into(),
                content_type: "application/merge-patch+json".into(),
                body: json!({"status": {"abort": true}}),
            }],
            outcome,
            reason: None,
        }
    }

    #[test]
    fn each_attempt_is_one_line_appended() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/shipdeck/audit.jsonl");
        append(&path, &entry(Outcome::Cancelled)).unwrap();
        append(&path, &entry(Outcome::Done)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<AuditEntry> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].outcome, Outcome::Cancelled);
        assert_eq!(lines[1], entry(Outcome::Done));
        assert!(text.contains("\"outcome\":\"done\""), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn an_unwritable_path_is_a_named_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let err = append(&blocker.join("audit.jsonl"), &entry(Outcome::Done)).unwrap_err();
        assert!(
            err.to_string().contains("cannot write the audit file"),
            "{err}"
        );
    }
}
