//! The kubeconfig the simulator writes: one cluster, one user and one context per identity
//! (bearer tokens), `sim-operator` current.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::auth::Identity;

/// The kubeconfig text. `namespace` becomes every context's default namespace.
pub fn render(
    url: &str,
    ca_pem: &str,
    ids: &[Identity],
    current: &str,
    namespace: Option<&str>,
) -> String {
    use base64::Engine as _;
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    let mut s = String::new();
    s.push_str("apiVersion: v1\nkind: Config\npreferences: {}\n");
    s.push_str(&format!("current-context: {current}\n"));
    s.push_str(&format!(
        "clusters:\n- name: shipdeck-sim\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\n"
    ));
    s.push_str("users:\n");
    for id in ids {
        s.push_str(&format!(
            "- name: {}\n  user:\n    token: {}\n",
            id.name, id.token
        ));
    }
    s.push_str("contexts:\n");
    for id in ids {
        s.push_str(&format!(
            "- name: {}\n  context:\n    cluster: shipdeck-sim\n    user: {}\n",
            id.name, id.name
        ));
        if let Some(ns) = namespace {
            s.push_str(&format!("    namespace: {ns}\n"));
        }
    }
    s
}

/// Writes the file (mode 0600). An existing file is an error unless `force`.
pub fn write(path: &Path, text: &str, force: bool) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt;
    if path.exists() && !force {
        return Err(format!(
            "{} exists; pass --force to overwrite it, or choose another --kubeconfig-out",
            path.display()
        ));
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A fresh file name in the temporary directory.
pub fn temp_path() -> PathBuf {
    std::env::temp_dir().join(format!(
        "shipdeck-sim-{}.kubeconfig",
        &super::auth::random_hex()[..12]
    ))
}
