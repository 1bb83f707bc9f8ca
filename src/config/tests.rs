use super::*;

fn err_of(text: &str) -> ConfigError {
    parse("c.toml", text).unwrap_err()
}

#[test]
fn empty_text_is_the_defaults() {
    let (c, spans) = parse("c.toml", "").unwrap();
    assert_eq!(c, Config::default());
    assert!(spans.is_empty());
    assert_eq!(c.ui.theme, "default");
    assert_eq!(c.ui.refresh, ConfigDuration::secs(1));
}

#[test]
fn values_and_positions_are_read() {
    let text = "[ui]\ntheme = \"light\"\nrefresh = \"2s\"\n\n[contexts.prod]\nread_only = true\nnamespaces = [\"casino-prod\"]\n";
    let (c, spans) = parse("c.toml", text).unwrap();
    assert_eq!(c.ui.theme, "light");
    assert_eq!(c.ui.refresh, ConfigDuration::secs(2));
    assert!(c.contexts["prod"].read_only);
    assert_eq!(spans["ui.refresh"], (3, 1));
    assert_eq!(spans["contexts.prod.read_only"], (6, 1));
}

/// At least eight invalid configs, each failing with a message that names the key.
#[test]
fn invalid_configs_name_file_line_column_and_key() {
    let cases: &[(&str, &str, (usize, usize), &str)] = &[
        (
            "[ui]\nthme = \"light\"\n",
            "ui.thme",
            (2, 1),
            "unknown field",
        ),
        (
            "[ui]\nrefresh = \"fast\"\n",
            "ui.refresh",
            (2, 11),
            "invalid duration",
        ),
        ("[ui]\nrefresh = 5\n", "ui.refresh", (2, 11), "duration"),
        ("[ui]\nmax_fps = \"thirty\"\n", "ui.max_fps", (2, 11), "u16"),
        ("[ui]\nmax_fps = 0\n", "ui.max_fps", (2, 1), "out of range"),
        ("[ui]\nascii = \"yes\"\n", "ui.ascii", (2, 9), "bool"),
        (
            "[log]\nlevel = \"loud\"\n",
            "log.level",
            (2, 1),
            "not a level",
        ),
        (
            "[contexts.prod]\nread_only = 1\n",
            "contexts.prod.read_only",
            (2, 13),
            "bool",
        ),
        (
            "[contexts.prod]\nnamespaces = [\"Casino_Prod\"]\n",
            "contexts.prod.namespaces",
            (2, 1),
            "not a namespace",
        ),
        (
            "[contexts.prod]\nreadonly = true\n",
            "contexts.prod.readonly",
            (2, 1),
            "unknown field",
        ),
        (
            "[prometheus2]\nurl = \"x\"\n",
            "prometheus2",
            (1, 2),
            "unknown field",
        ),
        ("[keys.global]\nq = 3\n", "keys.global.q", (2, 5), "string"),
        ("[ui\ntheme = 1\n", "", (1, 4), ""),
    ];
    for (text, key, (line, col), needle) in cases {
        let e = err_of(text);
        let ConfigError::Invalid {
            file,
            line: l,
            column: c,
            key: k,
            message,
        } = &e
        else {
            panic!("{text}: {e}");
        };
        assert_eq!(file, "c.toml");
        assert_eq!(k, key, "{text}: {e}");
        assert_eq!((*l, *c), (*line, *col), "{text}: {e}");
        assert!(message.contains(needle), "{text}: {e}");
        let shown = e.to_string();
        assert!(shown.contains(&format!("c.toml:{line}:{col}")), "{shown}");
        if !key.is_empty() {
            assert!(shown.contains(&format!("`{key}`")), "{shown}");
        }
    }
}

#[test]
fn lookup_order_is_flag_env_xdg_home() {
    let dir = tempfile::tempdir().unwrap();
    let mk = |rel: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "").unwrap();
        p
    };
    let flag = mk("flag.toml");
    let envp = mk("env.toml");
    let xdg = mk("xdg/shipdeck/config.toml");
    let home = mk("home/.config/shipdeck/config.toml");
    let mut env = EnvLookup {
        shipdeck_config: Some(envp.clone()),
        xdg_config_home: Some(dir.path().join("xdg")),
        xdg_state_home: None,
        home: Some(dir.path().join("home")),
    };
    assert_eq!(
        locate(Some(&flag), &env).unwrap(),
        Some((flag.clone(), FoundVia::Flag))
    );
    assert_eq!(locate(None, &env).unwrap(), Some((envp, FoundVia::EnvVar)));
    env.shipdeck_config = None;
    assert_eq!(
        locate(None, &env).unwrap(),
        Some((xdg, FoundVia::XdgConfigHome))
    );
    env.xdg_config_home = Some(dir.path().join("nothing"));
    assert_eq!(locate(None, &env).unwrap(), Some((home, FoundVia::Home)));
    env.home = None;
    assert_eq!(locate(None, &env).unwrap(), None);
    let missing = dir.path().join("missing.toml");
    let e = locate(Some(&missing), &env).unwrap_err();
    assert!(
        e.to_string().contains("missing.toml") && e.to_string().contains("--config"),
        "{e}"
    );
}

#[test]
fn show_names_the_origin_of_every_value() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("c.toml");
    std::fs::write(&p, "[ui]\ntheme = \"light\"\n").unwrap();
    let env = EnvLookup {
        xdg_state_home: Some(dir.path().join("state")),
        ..EnvLookup::default()
    };
    let mut loaded = load(Some(&p), &env).unwrap();
    loaded.config.log.level = "debug".into();
    loaded.set_override("log.level", "--log-level");
    let shown = render_show(&loaded, &env);
    assert!(shown.contains("found via --config"), "{shown}");
    assert!(
        shown.contains(&format!("theme = \"light\"  # from {}:2", p.display())),
        "{shown}"
    );
    assert!(shown.contains("refresh = \"1s\"  # default"), "{shown}");
    assert!(
        shown.contains("level = \"debug\"  # from --log-level"),
        "{shown}"
    );
    assert!(shown.contains("state/shipdeck/shipdeck.log"), "{shown}");
}

#[test]
fn error_at_points_at_the_key_or_its_parent() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("c.toml");
    std::fs::write(&p, "\n[keys.rollout]\nz = \"approve\"\n").unwrap();
    let loaded = load(Some(&p), &EnvLookup::default()).unwrap();
    let e = loaded.error_at("keys.rollout.z", "boom");
    assert!(
        e.to_string().contains("c.toml:3:1: `keys.rollout.z`: boom"),
        "{e}"
    );
    let e = loaded.error_at("keys.rollout.y", "boom");
    assert!(e.to_string().contains("c.toml:2:7"), "{e}");
}
