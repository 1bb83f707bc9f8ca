//! shipdeck's Unleash adapter against a real Unleash (npm `unleash-server` 7.5 on a
//! throwaway PostgreSQL, see common/unleash.rs; one server for the whole scenario): the
//! rows it lists, polling with ETags, a toggle on and off read back from the server,
//! Unleash's default strategy when an environment without strategies is enabled, and the
//! explanations of 401, 403 and 404. Plus refused connections and timeouts, which need no
//! server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/unleash.rs"]
mod unleash;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use shipdeck::adapters::unleash::{Poll, UnleashClient, UnleashError, toggle_note, toggle_plan};
use shipdeck::domain::flags::{Flag, FlagState};

const ENVS: [&str; 2] = ["development", "production"];

fn envs(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn token_file(dir: &Path, name: &str, token: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{token}\n")).unwrap();
    p
}

fn row<'a>(flags: &'a [Flag], key: &str, env: &str) -> &'a Flag {
    flags
        .iter()
        .find(|f| f.key == key && f.environment == env)
        .unwrap_or_else(|| panic!("no row {key}/{env} in {flags:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_unleash_lists_toggles_and_explains_refusals() {
    let Some(u) = unleash::start().await else {
        return;
    };
    let t = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    u.create_feature("checkout-v2", true).await;
    u.create_feature("bare-flag", false).await;
    let good = token_file(dir.path(), "unleash-token", &u.token);
    let timeout = Duration::from_secs(10);
    let client = UnleashClient::new(&u.url, &good, &u.project, &envs(&ENVS), timeout).unwrap();
    assert!(!format!("{client:?}").contains(&u.token));

    // The list: one row per feature × configured environment.
    let flags = client.list().await.unwrap();
    assert_eq!(flags.len(), 4, "{flags:#?}");
    let prod = row(&flags, "checkout-v2", "production");
    assert_eq!(prod.state, FlagState::Disabled);
    assert_eq!((prod.strategies, prod.targeting), (1, true));
    assert_eq!(prod.version, "false:1");
    // Who changed it last, as Unleash logs it: the admin token's name.
    let by = prod.last_change.as_ref().and_then(|c| c.by.clone());
    assert_eq!(by.as_deref(), Some("admin"), "{prod:#?}");
    let dev = row(&flags, "checkout-v2", "development");
    assert_eq!((dev.strategies, dev.targeting), (1, false));
    let bare = row(&flags, "bare-flag", "development").clone();
    assert_eq!((bare.strategies, bare.version.as_str()), (0, "false:0"));

    // Polling: the server sends ETags, so nothing changed is a 304.
    assert_eq!(client.poll().await.unwrap(), Poll::Unchanged);

    // Toggle on, read back from the server, then off.
    let plan = toggle_plan(prod, true);
    assert_eq!(
        plan.requests[0].path,
        "/api/admin/projects/default/features/checkout-v2/environments/production/on"
    );
    client.send(&plan).await.unwrap();
    let server = u.environment("checkout-v2", "production").await;
    assert_eq!(server["enabled"], true, "{server}");
    assert_eq!(server["strategies"].as_array().unwrap().len(), 1);
    let Poll::Changed(after) = client.poll().await.unwrap() else {
        panic!("a toggle must change the poll");
    };
    let on = row(&after, "checkout-v2", "production");
    assert_eq!(
        (on.state, on.version.as_str()),
        (FlagState::Enabled, "true:1")
    );
    assert_eq!(
        on.last_change.as_ref().unwrap().by.as_deref(),
        Some("admin")
    );
    client.send(&toggle_plan(on, false)).await.unwrap();
    let server = u.environment("checkout-v2", "production").await;
    assert_eq!(server["enabled"], false, "{server}");
    let flags = client.list().await.unwrap();
    assert_eq!(row(&flags, "checkout-v2", "production").version, "false:1");

    // Enabling an environment without strategies: Unleash adds its default strategy.
    assert!(
        toggle_note(&bare, true)
            .unwrap()
            .contains("default strategy")
    );
    client.send(&toggle_plan(&bare, true)).await.unwrap();
    let server = u.environment("bare-flag", "development").await;
    assert_eq!(server["enabled"], true, "{server}");
    let strategies = server["strategies"].as_array().unwrap();
    assert_eq!(strategies.len(), 1, "{server}");
    assert_eq!(strategies[0]["name"], "flexibleRollout", "{server}");
    assert_eq!(strategies[0]["parameters"]["rollout"], "100", "{server}");
    assert!(strategies[0]["constraints"].as_array().unwrap().is_empty());
    let flags = client.list().await.unwrap();
    let enabled = row(&flags, "bare-flag", "development");
    assert_eq!((enabled.strategies, enabled.targeting), (1, false));
    assert_eq!(enabled.version, "true:1");

    // A token Unleash does not know: 401, explained, the token nowhere.
    let wrong_token = "*:*.0123456789abcdef-not-a-token";
    let bad = token_file(dir.path(), "bad-token", wrong_token);
    let intruder = UnleashClient::new(&u.url, &bad, &u.project, &envs(&ENVS), timeout).unwrap();
    let e = intruder.list().await.unwrap_err();
    assert_eq!(
        e,
        UnleashError::Unauthorized {
            file: bad.display().to_string()
        }
    );
    let text = e.to_string();
    assert_eq!(
        text,
        format!(
            "the token in {} is not accepted: create an admin token in Unleash → API access",
            bad.display()
        )
    );
    let e = intruder.send(&toggle_plan(&bare, false)).await.unwrap_err();
    assert!(matches!(e, UnleashError::Unauthorized { .. }), "{e}");
    assert!(!format!("{e} {e:?} {intruder:?}").contains("0123456789abcdef"));

    // A client (backend) token on the admin API: 403, explained.
    let (s, created) = u
        .admin(
            "POST",
            "/api/admin/api-tokens",
            Some(serde_json::json!({"tokenName": "sdk", "type": "backend",
                "environment": "development", "projects": ["*"]})),
        )
        .await;
    assert!(s == 200 || s == 201, "{s} {created}");
    let sdk = token_file(dir.path(), "sdk-token", created["secret"].as_str().unwrap());
    let sdk = UnleashClient::new(&u.url, &sdk, &u.project, &envs(&ENVS), timeout).unwrap();
    let e = sdk.send(&toggle_plan(&bare, false)).await.unwrap_err();
    assert!(matches!(e, UnleashError::Forbidden { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("may not turn feature \"bare-flag\" off"),
        "{e}"
    );

    // An environment the project does not have: 404, named, with the ones it has.
    let mut staging = bare.clone();
    staging.environment = "staging".into();
    let e = client.send(&toggle_plan(&staging, true)).await.unwrap_err();
    let expected = UnleashError::UnknownEnvironment {
        project: "default".into(),
        environment: "staging".into(),
        known: "\"development\", \"production\"".into(),
    };
    assert_eq!(e, expected);
    assert!(
        e.to_string().contains("has no environment \"staging\""),
        "{e}"
    );
    let lister = UnleashClient::new(&u.url, &good, &u.project, &envs(&["staging"]), timeout);
    assert_eq!(lister.unwrap().list().await.unwrap_err(), expected);

    // A project Unleash does not have, and a feature it does not have.
    let nowhere = UnleashClient::new(&u.url, &good, "nowhere", &envs(&ENVS), timeout).unwrap();
    let e = nowhere.list().await.unwrap_err();
    assert_eq!(
        e,
        UnleashError::UnknownProject {
            project: "nowhere".into()
        }
    );
    let mut ghost = bare.clone();
    ghost.key = "ghost".into();
    let e = client.send(&toggle_plan(&ghost, true)).await.unwrap_err();
    assert!(matches!(e, UnleashError::UnknownFeature { .. }), "{e:?}");
    eprintln!(
        "unleash scenario: {:.1?} after the server was up",
        t.elapsed()
    );
}

#[tokio::test]
async fn refused_connections_and_timeouts_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let file = token_file(dir.path(), "token", "*:*.secret-secret");
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let c = UnleashClient::new(&url, &file, "default", &[], Duration::from_secs(5)).unwrap();
    let e = c.list().await.unwrap_err();
    assert_eq!(e, UnleashError::Refused { url: url.clone() });
    assert!(e.to_string().contains("refused the connection"), "{e}");
    assert!(e.retryable());

    // A listener that never answers: the kernel accepts, nobody reads.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let timeout = Duration::from_millis(300);
    let c = UnleashClient::new(&url, &file, "default", &[], timeout).unwrap();
    let started = Instant::now();
    let e = c.list().await.unwrap_err();
    assert_eq!(e, UnleashError::Timeout { url, timeout });
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(e.to_string().contains("did not answer within 300ms"), "{e}");
}
