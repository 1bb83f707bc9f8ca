//! Who the operator is: the username from a `SelfSubjectReview`
//! (`authentication.k8s.io/v1`), or the kubeconfig user when the API lacks it.

use std::time::Duration;

use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use kube::api::{Api, PostParams};

use crate::domain::identity::{Identity, IdentitySource};

/// The outcome of asking the API server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhoAmI {
    /// The server said who we are.
    Known(Identity),
    /// The server has no SelfSubjectReview (404): the kubeconfig user is final.
    Unsupported(Identity),
    /// The server could not be asked (unreachable, timeout, 5xx): try again later.
    Unreachable { fallback: Identity, reason: String },
}

impl WhoAmI {
    pub fn identity(&self) -> &Identity {
        match self {
            Self::Known(i) | Self::Unsupported(i) => i,
            Self::Unreachable { fallback, .. } => fallback,
        }
    }
}

/// Sends one `SelfSubjectReview`, waiting at most `timeout`.
pub async fn whoami(client: kube::Client, kube_user: &str, timeout: Duration) -> WhoAmI {
    let fallback = Identity {
        username: kube_user.to_string(),
        source: IdentitySource::Kubeconfig,
    };
    let api: Api<SelfSubjectReview> = Api::all(client);
    let review = SelfSubjectReview::default();
    match tokio::time::timeout(timeout, api.create(&PostParams::default(), &review)).await {
        Ok(Ok(answer)) => match answer
            .status
            .and_then(|s| s.user_info)
            .and_then(|u| u.username)
            .filter(|u| !u.is_empty())
        {
            Some(username) => WhoAmI::Known(Identity {
                username,
                source: IdentitySource::SelfSubjectReview,
            }),
            None => WhoAmI::Unsupported(fallback),
        },
        Ok(Err(kube::Error::Api(status))) if status.code == 404 => WhoAmI::Unsupported(fallback),
        Ok(Err(e)) => WhoAmI::Unreachable {
            fallback,
            reason: e.to_string(),
        },
        Err(_) => WhoAmI::Unreachable {
            fallback,
            reason: format!("no answer within {}s", timeout.as_secs()),
        },
    }
}
