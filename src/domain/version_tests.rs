use super::*;

const SHA: &str = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn r(registry: Option<&str>, repo: &str, tag: Option<&str>, digest: Option<&str>) -> ImageRef {
    ImageRef {
        registry: registry.map(str::to_string),
        repository: repo.to_string(),
        tag: tag.map(str::to_string),
        digest: digest.map(str::to_string),
    }
}

#[test]
fn references_parse_into_their_parts() {
    let with_digest = format!("ghcr.io/casino/wallet:2.0.1@{SHA}");
    let digest_only = format!("casino/wallet@{SHA}");
    let table: Vec<(&str, ImageRef)> = vec![
        ("nginx", r(None, "nginx", None, None)),
        ("nginx:1.25", r(None, "nginx", Some("1.25"), None)),
        (
            "argoproj/rollouts-demo:blue",
            r(None, "argoproj/rollouts-demo", Some("blue"), None),
        ),
        (
            "localhost:5000/game-engine:v1.8.3",
            r(Some("localhost:5000"), "game-engine", Some("v1.8.3"), None),
        ),
        (
            "registry.example.com:8443/casino/payments",
            r(
                Some("registry.example.com:8443"),
                "casino/payments",
                None,
                None,
            ),
        ),
        (
            "localhost/app:latest",
            r(Some("localhost"), "app", Some("latest"), None),
        ),
        (
            &with_digest,
            r(Some("ghcr.io"), "casino/wallet", Some("2.0.1"), Some(SHA)),
        ),
        (&digest_only, r(None, "casino/wallet", None, Some(SHA))),
        (
            "quay.io/a/b/c:1.0.0-rc.1",
            r(Some("quay.io"), "a/b/c", Some("1.0.0-rc.1"), None),
        ),
        ("my_app__x-y:1", r(None, "my_app__x-y", Some("1"), None)),
    ];
    for (text, want) in table {
        assert_eq!(ImageRef::parse(text), Ok(want), "{text}");
    }
}

#[test]
fn malformed_references_are_errors() {
    let table = [
        ("", ImageRefError::Empty),
        ("Nginx:1", ImageRefError::Repository("Nginx".into())),
        ("nginx:", ImageRefError::Tag(String::new())),
        ("nginx:-1", ImageRefError::Tag("-1".into())),
        (
            "nginx@sha256:abc",
            ImageRefError::Digest("sha256:abc".into()),
        ),
        ("nginx@nodigest", ImageRefError::Digest("nodigest".into())),
        (
            "bad host.io/app:1",
            ImageRefError::Registry("bad host.io".into()),
        ),
        ("a//b", ImageRefError::Repository("a//b".into())),
        ("app/-x", ImageRefError::Repository("app/-x".into())),
    ];
    for (text, want) in table {
        assert_eq!(ImageRef::parse(text), Err(want), "{text:?}");
    }
}

#[test]
fn semver_tags_allow_a_leading_v() {
    let v = |s: &str| ImageRef::parse(s).ok().and_then(|r| r.semver());
    assert_eq!(v("app:1.4.2"), Some(semver::Version::new(1, 4, 2)));
    assert_eq!(v("app:v1.4.2"), Some(semver::Version::new(1, 4, 2)));
    assert_eq!(
        v("app:1.5.0-rc.1").map(|x| x.pre.to_string()),
        Some("rc.1".into())
    );
    assert_eq!(v("app:1.4"), None);
    assert_eq!(v("app:latest"), None);
    assert_eq!(v("app"), None);
    assert_eq!(v("app:vv1.0.0"), None);
}

#[test]
fn bumps_between_semver_tags() {
    let table = [
        ("1.4.2", "2.0.0", BumpKind::Major),
        ("1.4.2", "1.5.0", BumpKind::Minor),
        ("v1.4.2", "1.4.3", BumpKind::Patch),
        ("1.5.0-rc.1", "1.5.0-rc.2", BumpKind::Prerelease),
        ("1.5.0-rc.1", "1.5.0", BumpKind::Prerelease),
        ("1.4.2", "1.5.0-rc.1", BumpKind::Minor),
        ("1.5.0", "1.4.9", BumpKind::Downgrade),
        ("1.5.0", "1.5.0-rc.1", BumpKind::Downgrade),
        ("1.4.2", "v1.4.2", BumpKind::Same),
    ];
    for (from, to, kind) in table {
        let a = ImageRef::parse(&format!("casino/app:{from}")).unwrap();
        let b = ImageRef::parse(&format!("casino/app:{to}")).unwrap();
        let change = VersionChange::between(&a, &b).unwrap();
        assert_eq!(change.kind, kind, "{from} → {to}");
        assert_eq!(
            change.to_string(),
            format!("{from} → {to} ({})", kind.label())
        );
    }
    // Build metadata (not allowed in image tags, but in SemVer) does not count.
    let v = |s: &str| semver::Version::parse(s).unwrap();
    assert_eq!(
        BumpKind::between(&v("1.4.2+b.1"), &v("1.4.2+b.2")),
        BumpKind::Same
    );
    let latest = ImageRef::parse("casino/app:latest").unwrap();
    let semver = ImageRef::parse("casino/app:1.0.0").unwrap();
    assert_eq!(VersionChange::between(&latest, &semver), None);
    assert_eq!(VersionChange::between(&semver, &latest), None);
}

#[test]
fn the_minor_example_of_the_handbook() {
    let c = ContainerImages {
        name: "game-engine".into(),
        stable: Some(Image::new("casino/game-engine:1.4.2")),
        canary: Some(Image::new("casino/game-engine:1.5.0")),
    };
    assert_eq!(c.change().unwrap().to_string(), "1.4.2 → 1.5.0 (minor)");
    let only_stable = ContainerImages { canary: None, ..c };
    assert_eq!(only_stable.change(), None);
}

#[test]
fn version_labels_and_mutability() {
    let label = |s: &str| ImageRef::parse(s).unwrap().version_label();
    assert_eq!(label("app:1.2.3"), "1.2.3");
    assert_eq!(label("app"), "latest");
    assert_eq!(label(&format!("app@{SHA}")), "sha256:9f86d081884c");
    assert_eq!(label(&format!("app:1.2.3@{SHA}")), "1.2.3");
    let mutable = |s: &str| ImageRef::parse(s).unwrap().is_mutable();
    assert!(mutable("app"));
    assert!(mutable("app:latest"));
    assert!(!mutable("app:1.2.3"));
    assert!(!mutable(&format!("app:latest@{SHA}")));
    assert!(!mutable(&format!("app@{SHA}")));
    assert_eq!(Image::new("Bad:Image").label(), "Bad:Image");
}

#[test]
fn notes_warn_on_mutable_tags_and_inform_on_missing_digests() {
    let containers = vec![
        ContainerImages {
            name: "app".into(),
            stable: Some(Image::new("casino/app:1.0.0")),
            canary: Some(Image::new("casino/app:latest")),
        },
        ContainerImages {
            name: "sidecar".into(),
            stable: Some(Image::new(&format!("envoy@{SHA}"))),
            canary: Some(Image::new(&format!("envoy@{SHA}"))),
        },
        ContainerImages {
            name: "odd".into(),
            stable: None,
            canary: Some(Image::new("UPPER")),
        },
    ];
    let notes = image_notes(&containers, false);
    let summary: Vec<(&str, &str, Severity)> = notes
        .iter()
        .map(|n| {
            let kind = match n.kind {
                ImageNoteKind::MutableTag => "mutable",
                ImageNoteKind::NoDigest => "no-digest",
                ImageNoteKind::Unparseable(_) => "unparseable",
            };
            (n.container.as_str(), kind, n.severity)
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("app", "no-digest", Severity::Info),
            ("app", "mutable", Severity::Warning),
            ("odd", "unparseable", Severity::Warning),
        ]
    );
    let strict = image_notes(&containers, true);
    assert_eq!(strict[0].severity, Severity::Warning);
    assert_eq!(
        strict[0].text(),
        "app: tag not pinned by digest (casino/app:1.0.0)"
    );
    assert_eq!(strict[1].text(), "app: mutable tag (casino/app:latest)");
}
