use super::*;

fn syntax_err(q: &str) -> String {
    match parse(q) {
        Err(e @ ParseError::Syntax { .. }) => e.to_string(),
        other => panic!("{q}: {other:?}"),
    }
}

fn unsupported_err(q: &str) -> String {
    match parse(q) {
        Err(ParseError::Unsupported(what)) => what,
        other => panic!("{q}: {other:?}"),
    }
}

fn re(r: &str) -> Regex {
    Regex::new(r).unwrap()
}

#[test]
fn regexes_are_fully_anchored() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "casino-.*",
            &["casino-", "casino-prod"],
            &["xcasino-prod", "casino"],
        ),
        ("a|b", &["a", "b"], &["ab", "", "a|b"]),
        (".+", &["x", "line\nbreak"], &[""]),
        (".*", &["", "anything"], &[]),
        ("[a-z0-9-]+", &["casino-prod-2"], &["Casino", "a_b", ""]),
        ("shop\\.example", &["shop.example"], &["shopxexample"]),
        ("5..", &["500", "503"], &["200", "50", "5000"]),
        ("stable|canary", &["stable", "canary"], &["stablecanary"]),
        ("(?:ab)+c?", &["ab", "ababc"], &["abb", "c"]),
        (
            "x{2,3}|y{2}|z{1,}",
            &["xx", "xxx", "yy", "zzz"],
            &["x", "xxxx", "y", "yyy", ""],
        ),
        ("[^a-c]\\d\\w\\s", &["z1_ ", "-9A\t"], &["a1_ ", "z1_x"]),
        ("[]a]*|[a-]", &["]a]", "-"], &["b"]),
        ("^(foo|bar)$", &["foo", "bar"], &["foobar"]),
        ("(a*)*b", &["b", "aaab"], &["aaaa"]),
        ("é.", &["éé"], &["e."]),
    ];
    for (r, yes, no) in cases {
        for s in *yes {
            assert!(re(r).is_match(s), "{r} should match {s:?}");
        }
        for s in *no {
            assert!(!re(r).is_match(s), "{r} should not match {s:?}");
        }
    }
}

#[test]
fn pathological_regexes_match_in_linear_time() {
    let value = format!("{}c", "a".repeat(40));
    assert!(!re("(a+)+b").is_match(&value));
    assert!(re("(a+)+c").is_match(&value));
}

#[test]
fn bad_regexes_are_syntax_errors_naming_the_regex() {
    let msg = |r: &str| match Regex::new(r) {
        Err(ParseError::Syntax { msg, .. }) => msg,
        other => panic!("{r}: {other:?}"),
    };
    for (bad, what) in [
        ("(a", "unclosed group"),
        ("a)", "unopened group"),
        ("*a", "repetition operator missing expression"),
        ("[z-a]", "invalid character class range"),
        ("[ab", "unclosed character class"),
        ("a{3,2}", "invalid repetition count range"),
    ] {
        let m = msg(bad);
        assert!(m.starts_with("error parsing regexp: "), "{bad}: {m}");
        assert!(m.contains(what), "{bad}: {m}");
        assert!(m.ends_with(&format!("`{bad}`")), "{bad}: {m}");
    }
    // RE2 flags and word boundaries are valid in Prometheus, so they are here too.
    assert!(re("(?i)pay.*").is_match("PAYMENTS"));
    assert!(re("\\bword").is_match("word"));
    let e = syntax_err("rate(x{a=~\"(\"}[1m])");
    assert!(
        e.starts_with("1:9: parse error: error parsing regexp: "),
        "{e}"
    );
    assert!(e.ends_with("`(`"), "{e}");
}

fn sum_rate(matchers: &str) -> String {
    format!("sum by (namespace, rollout, track) (rate(http_requests_total{{{matchers}}}[1m]))")
}

#[test]
fn the_preset_queries_parse() {
    let Expr::Binary(BinOp::Div, lhs, rhs) = parse(&format!(
        "{} / {}",
        sum_rate("namespace=~\"casino-.*\",code=~\"5..\""),
        sum_rate("namespace=~\"casino-.*\"")
    ))
    .unwrap() else {
        panic!("not a division")
    };
    let Expr::Aggregate {
        op,
        without: false,
        labels,
        param: None,
        expr,
    } = *lhs
    else {
        panic!()
    };
    assert_eq!(
        (op.as_str(), labels),
        (
            "sum",
            vec!["namespace".to_string(), "rollout".into(), "track".into()]
        )
    );
    let Expr::Call(f, args) = *expr else { panic!() };
    let [Expr::Range(ms, 60_000)] = args.as_slice() else {
        panic!("{args:?}")
    };
    let names: Vec<(&str, MatchOp, &str)> = ms
        .iter()
        .map(|m| (m.name.as_str(), m.op, m.value.as_str()))
        .collect();
    assert_eq!(f, "rate");
    assert_eq!(
        names,
        [
            ("__name__", MatchOp::Eq, "http_requests_total"),
            ("namespace", MatchOp::Re, "casino-.*"),
            ("code", MatchOp::Re, "5..")
        ]
    );
    assert!(matches!(*rhs, Expr::Aggregate { .. }));
    let q = "histogram_quantile(0.99, \
             sum(rate(http_request_duration_seconds_bucket{namespace=~\"a|b\"}[5m])) \
             by (le, namespace, rollout, track))";
    let Expr::Call(f, args) = parse(q).unwrap() else {
        panic!()
    };
    assert_eq!(
        (f.as_str(), &args[0]),
        ("histogram_quantile", &Expr::Number(0.99))
    );
    assert!(matches!(&args[1], Expr::Aggregate { labels, .. } if labels.len() == 4));
}

#[test]
fn spelling_variants_parse_alike() {
    let a = parse(&sum_rate(
        "namespace=\"x\",rollout=~\"r\",track=\"canary\",service=\"s\",code!~\"5..\"",
    ))
    .unwrap();
    for variant in [
        "sum by(namespace,rollout,track)(rate(http_requests_total{namespace=\"x\",rollout=~\"r\",track=\"canary\",service=\"s\",code!~\"5..\",}[60s]))",
        "sum(rate(http_requests_total{namespace='x', rollout=~`r`, track=\"canary\", service=\"s\", code!~\"5..\"}[1m])) by (namespace, rollout, track)",
        "  sum  by ( namespace , rollout , track ) (\n  rate( http_requests_total { namespace = \"x\" , rollout =~ \"r\" , track = \"canary\" , service = \"s\" , code !~ \"5..\" } [ 1m ] ) # comment\n)",
        "(sum by (namespace, rollout, track) ((rate({__name__=\"http_requests_total\",namespace=\"x\",rollout=~\"r\",track=\"canary\",service=\"s\",code!~\"5..\"}[60]))))",
    ] {
        let b = parse(variant).unwrap();
        let strip = |e: &Expr| {
            format!("{e:?}").replace(
                "\"__name__\", op: Eq, value: \"http_requests_total\"",
                "NAME",
            )
        };
        assert_eq!(strip(&a), strip(&b), "{variant}");
    }
}

#[test]
fn durations() {
    assert_eq!(parse_duration("1m"), Some(60_000_000_000));
    assert_eq!(parse_duration("1h30m"), Some(5_400_000_000_000));
    assert_eq!(parse_duration("250ms"), Some(250_000_000));
    assert_eq!(
        parse_duration("1y2w3d"),
        Some((365 + 14 + 3) * 86_400_000_000_000)
    );
    assert_eq!(parse_duration("0"), Some(0));
    for bad in [
        "",
        "1",
        "m",
        "1.5m",
        "30s1m",
        "1m1m",
        "1x",
        "-1m",
        "99999999999y",
    ] {
        assert_eq!(parse_duration(bad), None, "{bad}");
    }
}

#[test]
fn syntax_errors_are_worded_as_prometheus() {
    assert_eq!(
        syntax_err(""),
        "unknown position: parse error: no expression found in input"
    );
    assert_eq!(
        syntax_err("   "),
        "1:1: parse error: no expression found in input"
    );
    assert_eq!(
        syntax_err("sum(x"),
        "1:6: parse error: unclosed left parenthesis"
    );
    assert_eq!(
        syntax_err("x)"),
        "1:2: parse error: unexpected right parenthesis ')'"
    );
    assert_eq!(
        syntax_err("x{a=\"b\""),
        "1:8: parse error: unexpected end of input inside braces"
    );
    assert_eq!(
        syntax_err("nosuch(x)"),
        "1:1: parse error: unknown function with name \"nosuch\""
    );
    assert_eq!(
        syntax_err("x{a}"),
        "1:4: parse error: unexpected \"}\" in label matching, expected label matching operator"
    );
    assert_eq!(
        syntax_err("x{a=b}"),
        "1:5: parse error: unexpected identifier \"b\" in label matching, expected string"
    );
    assert_eq!(
        syntax_err("{a=~\".*\"}"),
        "1:1: parse error: vector selector must contain at least one non-empty matcher"
    );
    assert_eq!(
        syntax_err("rate(x)"),
        "1:1: parse error: expected type range vector in call to function \"rate\", got instant vector"
    );
    assert_eq!(
        syntax_err("rate(x[1m], y[1m])"),
        "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2"
    );
    assert_eq!(
        syntax_err("sum(x[1m])"),
        "1:1: parse error: expected type instant vector in aggregation expression, got range vector"
    );
    assert_eq!(
        syntax_err("x[0s]"),
        "1:1: parse error: duration must be greater than 0"
    );
    assert_eq!(
        syntax_err("x y"),
        "1:3: parse error: unexpected identifier \"y\""
    );
    assert_eq!(
        syntax_err("x{a=\"\\.\"}"),
        "1:5: parse error: unknown escape sequence U+002E '.'"
    );
    assert_eq!(
        syntax_err("1.5m"),
        "1:1: parse error: bad number or duration syntax: \"1.5m\""
    );
    assert_eq!(
        syntax_err("x\n  + $"),
        "2:5: parse error: unexpected character: '$'"
    );
    assert_eq!(
        syntax_err("sum by (a) (x) by (b)"),
        "1:16: parse error: unexpected <by>"
    );
}

#[test]
fn valid_promql_outside_the_subset_is_unsupported() {
    for (q, what) in [
        ("x == 1", "comparison operator =="),
        ("x and y", "binary operator and"),
        ("x / on (a) y", "binary operator modifier on"),
        ("rate(x[5m:1m])", "subquery"),
        ("x offset 5m", "offset modifier"),
        ("x @ 100", "@ modifier"),
        (
            "label_replace(x, \"a\", \"b\", \"c\", \"d\")",
            "function label_replace()",
        ),
        ("\"str\"", "string literal"),
    ] {
        assert_eq!(unsupported_err(q), what, "{q}");
    }
}

#[test]
fn strings_numbers_and_unary_minus() {
    let m = |q: &str| match parse(q).unwrap() {
        Expr::Selector(ms) => ms[1].value.clone(),
        e => panic!("{e:?}"),
    };
    assert_eq!(m(r#"x{a="q\"\n\x41\u00e9\101"}"#), "q\"\nAéA");
    assert_eq!(m(r#"x{a='it\'s'}"#), "it's");
    assert_eq!(m(r"x{a=`raw\.`}"), "raw\\.");
    assert_eq!(parse("-0x10").unwrap(), Expr::Number(-16.0));
    assert_eq!(parse("1e-7").unwrap(), Expr::Number(1e-7));
    assert!(matches!(parse("+Inf").unwrap(), Expr::Number(f) if f == f64::INFINITY));
    assert!(
        matches!(parse("-x").unwrap(), Expr::Binary(BinOp::Mul, l, _) if *l == Expr::Number(-1.0))
    );
    let Expr::Binary(BinOp::Sub, _, rhs) = parse("1 - 2 ^ 3 ^ 2 * 4").unwrap() else {
        panic!()
    };
    let Expr::Binary(BinOp::Mul, pow, _) = *rhs else {
        panic!()
    };
    assert!(
        matches!(*pow, Expr::Binary(BinOp::Pow, _, r) if matches!(*r, Expr::Binary(BinOp::Pow, ..)))
    );
}
