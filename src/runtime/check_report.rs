//! The report of `shipdeck check`: text (one line per check, then a summary) or JSON, and
//! the exit status (the number of failed checks).

use serde::Serialize;

use super::Check;

/// How many checks failed.
pub fn failed(checks: &[Check]) -> usize {
    checks.iter().filter(|c| !c.ok).count()
}

/// The exit status: the number of failed checks, at most 125 (above are the shell's).
pub fn exit_status(checks: &[Check]) -> u8 {
    u8::try_from(failed(checks).min(125)).unwrap_or(125)
}

/// `✔ name: detail` / `✖ name: detail` (`OK` / `FAIL` in ASCII), then `N checks, M failed`.
pub fn text(checks: &[Check], ascii: bool) -> String {
    let (good, bad) = if ascii {
        ("OK", "FAIL")
    } else {
        ("✔", "✖")
    };
    let mut out = String::new();
    for c in checks {
        let mark = if c.ok { good } else { bad };
        out.push_str(&format!("{mark} {}: {}\n", c.name, c.detail));
    }
    let n = checks.len();
    out.push_str(&format!(
        "{n} check{}, {} failed\n",
        if n == 1 { "" } else { "s" },
        failed(checks)
    ));
    out
}

#[derive(Serialize)]
struct Report<'a> {
    checks: &'a [Check],
    failed: usize,
}

/// `{"checks":[{"name","ok","detail"},…],"failed":M}`, keys in that order.
pub fn json(checks: &[Check]) -> String {
    let report = Report {
        checks,
        failed: failed(checks),
    };
    // Strings, booleans and numbers always serialise.
    serde_json::to_string(&report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Check> {
        vec![
            Check::pass("kubeconfig", "context dev"),
            Check::fail(
                "rbac",
                "patch rollouts/status in casino-prod: denied — approve, promote, abort and \
                 retry will be refused",
            ),
        ]
    }

    #[test]
    fn text_has_a_line_per_check_and_a_summary() {
        assert_eq!(
            text(&sample(), false),
            "✔ kubeconfig: context dev\n✖ rbac: patch rollouts/status in casino-prod: denied — \
             approve, promote, abort and retry will be refused\n2 checks, 1 failed\n"
        );
        let ascii = text(&sample(), true);
        assert!(
            ascii.starts_with("OK kubeconfig: context dev\nFAIL rbac: "),
            "{ascii}"
        );
        assert!(text(&sample()[..1], true).ends_with("1 check, 0 failed\n"));
    }

    #[test]
    fn json_carries_every_check_and_the_count() {
        let v: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(v["failed"], 1);
        assert_eq!(v["checks"][1]["name"], "rbac");
        assert_eq!(v["checks"][1]["ok"], false);
        assert_eq!(v["checks"][0]["detail"], "context dev");
        assert!(
            json(&sample()).starts_with(r#"{"checks":[{"name":"kubeconfig","ok":true,"detail":"#),
            "keys in the documented order"
        );
    }

    #[test]
    fn the_exit_status_is_the_failures_capped_at_125() {
        assert_eq!(exit_status(&sample()), 1);
        let many = vec![Check::fail("rbac", "denied"); 300];
        assert_eq!(exit_status(&many), 125);
        assert_eq!(exit_status(&[]), 0);
    }
}
