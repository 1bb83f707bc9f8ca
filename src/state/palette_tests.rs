use super::*;

fn words() -> CompletionWords {
    CompletionWords {
        read_only: false,
        namespaces: vec!["casino-prod".into(), "casino-staging".into()],
        contexts: vec!["prod".into(), "staging".into()],
        themes: vec!["default".into(), "light".into()],
    }
}

#[test]
fn completes_commands_then_arguments() {
    let w = words();
    let s = suggestions("", &w);
    assert_eq!(s.len(), COMMANDS.len());
    let s = suggestions("th", &w);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].line, "theme ");
    let s = suggestions("ns casino-s", &w);
    assert_eq!(
        s.iter().map(|s| s.line.as_str()).collect::<Vec<_>>(),
        ["ns casino-staging"]
    );
    let s = suggestions("sort p", &w);
    assert_eq!(s[0].line, "sort phase");
    assert!(suggestions("zzz", &w).is_empty());
}

#[test]
fn parses_every_command_and_explains_errors() {
    let w = words();
    assert_eq!(
        parse("alerts", &w),
        Ok(PaletteAction::Screen(Screen::Alerts))
    );
    assert_eq!(
        parse("ns all", &w),
        Ok(PaletteAction::Namespaces(NamespaceScope::All))
    );
    assert_eq!(
        parse("ns a,b c", &w),
        Ok(PaletteAction::Namespaces(NamespaceScope::Some(vec![
            "a".into(),
            "b".into(),
            "c".into()
        ])))
    );
    assert_eq!(
        parse("ctx prod", &w),
        Ok(PaletteAction::Context("prod".into()))
    );
    assert_eq!(parse("sort age", &w), Ok(PaletteAction::Sort(SortKey::Age)));
    assert_eq!(
        parse("theme light", &w),
        Ok(PaletteAction::Theme("light".into()))
    );
    assert_eq!(parse(" q ", &w), Ok(PaletteAction::Quit));
    assert!(parse("ctx nope", &w).unwrap_err().contains("prod, staging"));
    assert!(parse("sort colour", &w).unwrap_err().contains("columns"));
    assert!(parse("ns Bad_NS", &w).unwrap_err().contains("Bad_NS"));
    assert!(
        parse("alerts now", &w)
            .unwrap_err()
            .contains("no arguments")
    );
    assert!(
        parse("launch", &w)
            .unwrap_err()
            .contains("unknown command `launch`")
    );
    assert!(parse("", &w).is_err());
}

#[test]
fn tab_takes_the_selected_suggestion() {
    let w = words();
    let mut p = Palette::default();
    p.edit(InputRequest::InsertChar('s'));
    p.step(1, &w);
    p.complete(&w);
    assert_eq!(p.input.value(), "sort ");
}

#[test]
fn action_commands_parse_and_are_hidden_when_read_only() {
    let mut w = words();
    assert_eq!(
        parse("abort", &w),
        Ok(PaletteAction::Act(Action::Abort, AskOptions::default()))
    );
    assert_eq!(
        parse("undo 6", &w),
        Ok(PaletteAction::Act(
            Action::Undo,
            AskOptions {
                undo_to: Some(6),
                analysis_run: None,
                ..AskOptions::default()
            }
        ))
    );
    assert_eq!(
        parse("terminate payments-7f-3", &w),
        Ok(PaletteAction::Act(
            Action::Terminate,
            AskOptions {
                undo_to: None,
                analysis_run: Some("payments-7f-3".into()),
                ..AskOptions::default()
            }
        ))
    );
    assert!(
        parse("undo six", &w)
            .unwrap_err()
            .contains("revision number")
    );
    assert!(
        parse("restart now", &w)
            .unwrap_err()
            .contains("no arguments")
    );
    assert!(suggestions("re", &w).iter().any(|s| s.line == "restart"));
    w.read_only = true;
    assert_eq!(
        parse("abort", &w),
        Err("read-only session: `abort` is disabled".to_string())
    );
    let shown: Vec<String> = suggestions("", &w).into_iter().map(|s| s.line).collect();
    assert!(
        shown
            .iter()
            .all(|l| !l.starts_with("abort") && !l.starts_with("undo"))
    );
    assert!(shown.iter().any(|l| l == "readonly"));
}
