use super::*;

#[test]
fn every_embedded_theme_defines_every_role() {
    for (name, _) in EMBEDDED {
        let theme = Theme::embedded(name, ColorDepth::TrueColor).unwrap();
        for role in Role::ALL {
            assert!(theme.defines(*role), "{name} lacks {}", role.name());
        }
        assert_eq!(theme.name, *name);
    }
}

#[test]
fn a_bad_colour_is_an_error_naming_the_role() {
    let text = EMBEDDED[0]
        .1
        .replace("healthy = \"#5fd75f\"", "healthy = \"#5fd7\"");
    let err = Theme::parse("mine.toml", &text, ColorDepth::TrueColor).unwrap_err();
    assert_eq!(err.role.as_deref(), Some("status.healthy"));
    assert!(err.to_string().contains("status.healthy"), "{err}");
    assert!(err.to_string().contains("mine.toml"), "{err}");
    assert!(err.to_string().contains("#5fd7"), "{err}");
}

#[test]
fn a_missing_role_and_an_unknown_role_are_named() {
    let text = EMBEDDED[0]
        .1
        .replace("threshold = { fg = \"#ff5f5f\", bold = true }", "");
    let err = Theme::parse("t", &text, ColorDepth::TrueColor).unwrap_err();
    assert_eq!(err.role.as_deref(), Some("chart.threshold"));
    let err = Theme::parse(
        "t",
        "base = \"default\"\n[status]\nhealty = \"red\"\n",
        ColorDepth::TrueColor,
    )
    .unwrap_err();
    assert_eq!(err.role.as_deref(), Some("status.healty"));
    assert!(err.message.contains("unknown role"), "{err}");
}

#[test]
fn a_user_theme_overrides_some_roles_of_its_base() {
    let t = Theme::parse(
        "mine",
        "base = \"default\"\n[status]\nhealthy = \"#00ff00\"\n",
        ColorDepth::TrueColor,
    )
    .unwrap();
    assert_eq!(t.style(Role::StatusHealthy).fg, Some(Color::Rgb(0, 255, 0)));
    let base = Theme::embedded("default", ColorDepth::TrueColor).unwrap();
    assert_eq!(t.style(Role::ChartCanary), base.style(Role::ChartCanary));
    let err = Theme::parse("mine", "base = \"nope\"\n", ColorDepth::TrueColor).unwrap_err();
    assert!(err.message.contains("built-in themes are"), "{err}");
}

#[test]
fn depth_changes_what_the_terminal_gets() {
    let tc = Theme::embedded("default", ColorDepth::TrueColor).unwrap();
    assert_eq!(
        tc.style(Role::StatusDegraded).fg,
        Some(Color::Rgb(0xff, 0x5f, 0x5f))
    );
    let c256 = Theme::embedded("default", ColorDepth::Ansi256).unwrap();
    assert_eq!(
        c256.style(Role::StatusDegraded).fg,
        Some(Color::Indexed(203))
    );
    let mono = Theme::embedded("default", ColorDepth::Mono).unwrap();
    let s = mono.style(Role::StatusDegraded);
    assert_eq!(s.fg, None);
    assert!(s.add_modifier.contains(Modifier::BOLD));
    assert!(
        mono.style(Role::ChromeSelection)
            .add_modifier
            .contains(Modifier::REVERSED)
    );
}

#[test]
fn load_reads_files_and_names_missing_ones() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.toml");
    std::fs::write(&p, "base = \"light\"\n[chart]\ncanary = \"ansi:208\"\n").unwrap();
    let t = Theme::load(p.to_str().unwrap(), ColorDepth::TrueColor).unwrap();
    assert_eq!(t.style(Role::ChartCanary).fg, Some(Color::Indexed(208)));
    let err = Theme::load("/nonexistent/x.toml", ColorDepth::TrueColor).unwrap_err();
    assert!(err.message.contains("cannot read"), "{err}");
    assert!(Theme::load("solarized", ColorDepth::TrueColor).is_err());
}
