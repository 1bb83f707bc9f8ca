//! `shipdeck check`'s flag backends: flagd definitions listed and validated in the
//! namespaces in scope; Unleash reached with the configured token and project.

use std::time::Duration;

use super::{Check, Cluster};
use crate::adapters::kube::flags_list;
use crate::adapters::unleash::UnleashClient;
use crate::config::Config;

const NAME: &str = "flags";

pub async fn checks(config: &Config, cluster: Cluster<'_>) -> Vec<Check> {
    let flagd = config.flags.flagd.enabled;
    let unleash = &config.flags.unleash;
    if !flagd && unleash.url.trim().is_empty() {
        return vec![Check::pass(NAME, "no flag backend configured")];
    }
    let mut out = Vec::new();
    if flagd {
        out.push(match cluster {
            Err(reason) => Check::fail(NAME, format!("flagd: {reason}")),
            Ok((client, scope)) => match flags_list::list(client, scope).await {
                Err(e) => Check::fail(NAME, format!("flagd: {e}")),
                Ok(s) if !s.invalid.is_empty() => Check::fail(
                    NAME,
                    format!(
                        "flagd: {} invalid definition(s), which cannot be toggled: {}",
                        s.invalid.len(),
                        s.invalid.join("; ")
                    ),
                ),
                Ok(s) => {
                    let missing = if s.missing.is_empty() {
                        String::new()
                    } else {
                        format!(" ({} not installed)", s.missing.join(", "))
                    };
                    Check::pass(
                        NAME,
                        format!(
                            "flagd: {} flag(s) in {} definition(s), all valid{missing}",
                            s.flags, s.definitions
                        ),
                    )
                }
            },
        });
    }
    if !unleash.url.trim().is_empty() {
        out.push(unleash_check(config).await);
    }
    out
}

async fn unleash_check(config: &Config) -> Check {
    let u = &config.flags.unleash;
    let Some(token) = u.token_file.as_deref() else {
        return Check::fail(
            NAME,
            "unleash: [flags.unleash] token_file is not set; point it at a file holding an admin API token",
        );
    };
    let client = match UnleashClient::new(
        &u.url,
        token,
        &u.project,
        &u.environments,
        Duration::from_secs(10),
    ) {
        Ok(c) => c,
        Err(e) => return Check::fail(NAME, format!("unleash: {e}")),
    };
    match client.list().await {
        Ok(flags) => Check::pass(
            NAME,
            format!(
                "unleash: {} answers; project {}: {} flag row(s)",
                client.describe(),
                client.project(),
                flags.len()
            ),
        ),
        Err(e) => Check::fail(NAME, format!("unleash: {e}")),
    }
}
