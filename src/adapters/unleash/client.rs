//! The HTTP side: one `reqwest` client with the token (read once from its file, sent as
//! `Authorization`, marked sensitive) and the timeout fixed at construction. Reading is the
//! project's feature list, each feature's environments with their strategies, and one
//! event search for "who changed it last"; polling sends the list's and the events' ETags
//! back (`If-None-Match`) and reports `Unchanged` when both answer 304.

use std::fmt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt, stream};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};

use super::convert::{self, Event, Events, Feature, FeatureList, segment};
use super::http::{Got, Target, base_url, describe_path, root_cause};
use super::{Poll, UnleashError};
use crate::domain::argo_requests::Plan;
use crate::domain::flags::Flag;

/// Events read for "who changed it last" (newest first, one request per read).
const EVENTS: usize = 200;
/// Feature details fetched at once.
const PARALLEL: usize = 4;

/// An Unleash project's features in the configured environments.
pub struct UnleashClient {
    pub(super) http: reqwest::Client,
    pub(super) base: String,
    /// Only to scrub it out of anything shown.
    pub(super) token: String,
    pub(super) token_file: String,
    pub(super) project: String,
    pub(super) environments: Vec<String>,
    pub(super) timeout: Duration,
    cache: Mutex<Cache>,
}

impl fmt::Debug for UnleashClient {
    // By hand: never the token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnleashClient")
            .field("url", &self.base)
            .field("token_file", &self.token_file)
            .field("project", &self.project)
            .field("environments", &self.environments)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What the last complete read saw, for conditional requests.
#[derive(Default)]
struct Cache {
    primed: bool,
    list_etag: Option<String>,
    names: Vec<String>,
    events_etag: Option<String>,
    events: Option<Vec<Event>>,
}

impl UnleashClient {
    /// `url`: the server's base URL (`http://unleash:4242`, maybe with a path prefix);
    /// `environments`: the rows to show per feature (empty: all of the project's).
    pub fn new(
        url: &str,
        token_file: &Path,
        project: &str,
        environments: &[String],
        timeout: Duration,
    ) -> Result<Self, UnleashError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let file = token_file.display().to_string();
        let token = std::fs::read_to_string(token_file)
            .map_err(|e| UnleashError::TokenFile {
                file: file.clone(),
                reason: e.to_string(),
            })?
            .trim()
            .to_string();
        if token.is_empty() {
            return Err(UnleashError::TokenFile {
                file,
                reason: "it is empty".to_string(),
            });
        }
        let config = |m: String| UnleashError::Config(m);
        let base = base_url(url).map_err(config)?;
        if project.trim().is_empty() {
            return Err(config("the Unleash project is empty".to_string()));
        }
        if timeout.is_zero() {
            return Err(config(
                "the Unleash timeout must be more than 0s".to_string(),
            ));
        }
        let mut auth = HeaderValue::from_str(&token).map_err(|_| {
            config(format!(
                "the token in {file} is not a valid HTTP header value"
            ))
        })?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static(super::JSON));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("shipdeck/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| config(format!("cannot set up the HTTP client: {}", root_cause(&e))))?;
        Ok(Self {
            http,
            base,
            token,
            token_file: file,
            project: project.trim().to_string(),
            environments: environments
                .iter()
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty())
                .collect(),
            timeout,
            cache: Mutex::new(Cache::default()),
        })
    }

    /// The base URL, for the screen.
    pub fn describe(&self) -> &str {
        &self.base
    }

    pub fn project(&self) -> &str {
        &self.project
    }

    /// Every feature of the project, one row per configured environment, read afresh.
    pub async fn list(&self) -> Result<Vec<Flag>, UnleashError> {
        Ok(self.fetch(false).await?.unwrap_or_default())
    }

    /// Like [`UnleashClient::list`], but `Unchanged` when the server answers 304 to the
    /// ETags of the last read (it sends them for the list and the event search).
    pub async fn poll(&self) -> Result<Poll, UnleashError> {
        Ok(match self.fetch(true).await? {
            Some(flags) => Poll::Changed(flags),
            None => Poll::Unchanged,
        })
    }

    /// Sends a plan from [`super::toggle_plan`], request by request; the first failure
    /// stops it.
    pub async fn send(&self, plan: &Plan) -> Result<(), UnleashError> {
        if plan.requests.is_empty() {
            return Err(UnleashError::Config(
                "nothing to send: the flag is not an Unleash feature".to_string(),
            ));
        }
        for r in &plan.requests {
            let method = Method::from_bytes(r.verb.as_bytes())
                .map_err(|_| UnleashError::Config(format!("bad HTTP verb {}", r.verb)))?;
            let body = (!r.body.is_null()).then(|| r.body.to_string());
            let (target, action) = describe_path(&r.path);
            let response = self
                .request(method, &r.path, None, Some(r.content_type), body)
                .await?;
            let status = response.status();
            if !status.is_success() {
                let bytes = response.bytes().await.unwrap_or_default();
                return Err(self.status_error(status, &bytes, &action, &target).await);
            }
        }
        Ok(())
    }

    /// One environment of `feature` as the server has it now: `(enabled, strategies)`, what
    /// a toggle's precondition compares ([`super::changed_since`]). Read afresh, no ETag.
    pub async fn environment_now(
        &self,
        feature: &str,
        environment: &str,
    ) -> Result<(bool, usize), UnleashError> {
        let Some(found) = self.feature(feature).await? else {
            self.check_project().await?;
            return Err(UnleashError::UnknownFeature {
                project: self.project.clone(),
                feature: feature.to_string(),
            });
        };
        match found.environments.iter().find(|e| e.name == environment) {
            Some(e) => Ok((e.enabled, e.strategies.len())),
            None => Err(self.unknown_environment(environment).await),
        }
    }

    fn cache(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `None`: everything answered 304 (only when `conditional`).
    async fn fetch(&self, conditional: bool) -> Result<Option<Vec<Flag>>, UnleashError> {
        let (list_etag, events_etag) = {
            let c = self.cache();
            if conditional && c.primed {
                (c.list_etag.clone(), c.events_etag.clone())
            } else {
                (None, None)
            }
        };
        let path = format!("/api/admin/projects/{}/features", segment(&self.project));
        let action = format!("read the features of project \"{}\"", self.project);
        let listed = self
            .get(&path, list_etag.as_deref(), &action, &Target::default())
            .await?;
        let events = self.events(events_etag.as_deref()).await;
        let (names, list_etag) = match listed {
            Got::NotModified if matches!(events, Some(Got::NotModified)) => return Ok(None),
            Got::NotModified => (self.cache().names.clone(), list_etag),
            Got::Body { etag, bytes } => {
                let list: FeatureList = self.parse(&bytes, "the feature list")?;
                (list.features.into_iter().map(|f| f.name).collect(), etag)
            }
        };
        let (events, events_etag) = match events {
            Some(Got::Body { etag, bytes }) => match serde_json::from_slice::<Events>(&bytes) {
                Ok(e) => (Some(e.events), etag),
                Err(_) => (None, None),
            },
            Some(Got::NotModified) => (self.cache().events.clone(), events_etag),
            None => (None, None),
        };
        if names.is_empty() {
            self.check_project().await?;
        }
        // Owned names: a closure over borrowed ones makes the future unprovably `Send`
        // (rust-lang/rust#110338), and the poller runs on the multi-threaded runtime.
        let details: Vec<Option<Feature>> = stream::iter(names.clone())
            .map(|n| async move { self.feature(&n).await })
            .buffered(PARALLEL)
            .try_collect()
            .await?;
        let features: Vec<Feature> = details.into_iter().flatten().collect();
        let flags = convert::flags(
            &self.project,
            &self.environments,
            &features,
            events.as_deref(),
        );
        let flags = match flags {
            Ok(f) => f,
            Err(env) => return Err(self.unknown_environment(&env).await),
        };
        *self.cache() = Cache {
            primed: true,
            list_etag,
            names,
            events_etag,
            events,
        };
        Ok(Some(flags))
    }

    /// One feature with its environments and strategies; `None` when it went away since
    /// the list was read.
    async fn feature(&self, name: &str) -> Result<Option<Feature>, UnleashError> {
        let path = format!(
            "/api/admin/projects/{}/features/{}",
            segment(&self.project),
            segment(name)
        );
        let action = format!("read feature \"{name}\" of project \"{}\"", self.project);
        let response = self.request(Method::GET, &path, None, None, None).await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let bytes = response.bytes().await.map_err(|e| self.transport(&e))?;
        if !status.is_success() {
            return Err(self
                .status_error(status, &bytes, &action, &Target::default())
                .await);
        }
        self.parse(&bytes, &format!("feature \"{name}\"")).map(Some)
    }

    /// The project's newest events; `None` when the server has no event search for this
    /// token (older servers, narrower tokens): rows then have no last change.
    async fn events(&self, etag: Option<&str>) -> Option<Got> {
        let project: String =
            form_urlencoded::byte_serialize(format!("IS:{}", self.project).as_bytes()).collect();
        let path = format!("/api/admin/search/events?project={project}&limit={EVENTS}");
        match self.get_raw(&path, etag).await {
            Ok((status, got)) if status.is_success() || status == StatusCode::NOT_MODIFIED => {
                Some(got)
            }
            _ => None,
        }
    }
}
