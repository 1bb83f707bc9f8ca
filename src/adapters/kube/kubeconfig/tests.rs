use super::*;

const ONE: &str = r#"
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster:
    server: https://10.1.2.3:6443
- name: broken
  cluster: {}
contexts:
- name: dev
  context:
    cluster: c1
    user: alice
    namespace: casino-prod
- name: plain
  context:
    cluster: c1
    user: bob
- name: nowhere
  context:
    cluster: missing
    user: bob
- name: noserver
  context:
    cluster: broken
    user: bob
users:
- name: alice
  user:
    token: abc
- name: bob
  user:
    token: def
"#;

fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn current_context_and_its_namespace_are_used() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "config", ONE);
    let env = OsString::from(&p);
    let t = resolve(Some(&env), None, None).unwrap();
    assert_eq!(t.context, "dev");
    assert_eq!(t.cluster_url, "https://10.1.2.3:6443");
    assert_eq!(t.namespace.as_deref(), Some("casino-prod"));
    assert_eq!(t.user, "alice");
    assert_eq!(t.contexts, ["dev", "plain", "nowhere", "noserver"]);
    let t = resolve(Some(&env), None, Some("plain")).unwrap();
    assert_eq!((t.user.as_str(), t.namespace.clone()), ("bob", None));
    let t2 = t.with_context("dev").unwrap();
    assert_eq!(t2.namespace.as_deref(), Some("casino-prod"));
}

#[test]
fn home_kube_config_is_the_default_and_kubeconfig_lists_merge_first_wins() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join(".kube")).unwrap();
    write(d.path(), ".kube/config", ONE);
    let home = d.path().to_path_buf();
    assert_eq!(resolve(None, Some(&home), None).unwrap().context, "dev");

    let other = ONE
        .replace("current-context: dev", "current-context: plain")
        .replace("https://10.1.2.3:6443", "https://other:1");
    let a = write(d.path(), "a", &other);
    let missing = d.path().join("missing");
    let b = write(d.path(), "b", ONE);
    let env = std::env::join_paths([missing, a, b]).unwrap();
    let t = resolve(Some(&env), Some(&home), None).unwrap();
    assert_eq!(
        t.context, "plain",
        "the first file to set current-context wins"
    );
    assert_eq!(t.cluster_url, "https://other:1");
    assert_eq!(t.paths.len(), 2, "a missing entry is skipped");
}

#[test]
fn problems_are_one_line_naming_where_and_what_and_offer_the_demo() {
    let d = tempfile::tempdir().unwrap();
    let home = d.path().to_path_buf();
    let e = resolve(None, Some(&home), None).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, KubeconfigProblem::NotFound { .. }));
    assert!(
        msg.contains(&format!("{}/.kube/config", home.display())),
        "{msg}"
    );

    let env = OsString::from(d.path().join("nope.yaml"));
    let msg = resolve(Some(&env), Some(&home), None)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("$KUBECONFIG") && msg.contains("nope.yaml"),
        "{msg}"
    );

    let bad = write(d.path(), "bad", "clusters: [[[\n  - nope: {");
    let e = resolve(Some(&OsString::from(&bad)), None, None).unwrap_err();
    assert!(matches!(e, KubeconfigProblem::Invalid { .. }), "{e}");

    let good = OsString::from(write(d.path(), "good", ONE));
    let e = resolve(Some(&good), None, Some("prod")).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("`prod`") && msg.contains("dev, plain"),
        "{msg}"
    );

    let nocur = OsString::from(write(
        d.path(),
        "nocur",
        &ONE.replace("current-context: dev", ""),
    ));
    let msg = resolve(Some(&nocur), None, None).unwrap_err().to_string();
    assert!(
        msg.contains("no current-context") && msg.contains("--context"),
        "{msg}"
    );

    let msg = resolve(Some(&good), None, Some("nowhere"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("cluster `missing` is not defined"), "{msg}");
    let msg = resolve(Some(&good), None, Some("noserver"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("no server URL"), "{msg}");

    for e in [
        resolve(None, Some(&home), None).unwrap_err(),
        resolve(Some(&good), None, Some("prod")).unwrap_err(),
    ] {
        let msg = e.to_string();
        assert!(msg.contains("shipdeck demo"), "{msg}");
        assert!(!msg.contains('\n'), "{msg}");
    }
}
