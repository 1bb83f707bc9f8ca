//! Logging to a file (never to the terminal while the UI is up).

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use tracing_subscriber::EnvFilter;

#[derive(Debug, thiserror::Error)]
#[error("cannot open the log file {path}: {reason}")]
pub struct LogError {
    pub path: PathBuf,
    pub reason: String,
}

/// Opens (appends to) the log file, creating its directory, and installs the subscriber.
/// Returns a second handle to the file, for stderr while the UI is up.
pub fn init(path: &Path, level: &str) -> Result<File, LogError> {
    let err = |e: std::io::Error| LogError {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(err)?;
    let stderr_copy = file.try_clone().map_err(err)?;
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    Ok(stderr_copy)
}
