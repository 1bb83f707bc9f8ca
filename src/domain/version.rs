//! Versions of what runs (handbook §1): container image references, the SemVer bump from
//! the stable to the new image, and notes about mutable or unpinned references.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why an image reference could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum ImageRefError {
    #[error("empty image reference")]
    Empty,
    #[error("invalid registry {0:?}")]
    Registry(String),
    #[error("invalid repository {0:?}")]
    Repository(String),
    #[error("invalid tag {0:?}")]
    Tag(String),
    #[error("invalid digest {0:?}")]
    Digest(String),
}

/// A parsed image reference: `[registry/]repository[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageRef {
    /// The registry host (with port), when the reference names one; Docker Hub otherwise.
    pub registry: Option<String>,
    /// The repository path as written (`argoproj/rollouts-demo`, `nginx`).
    pub repository: String,
    pub tag: Option<String>,
    /// `algorithm:encoded`, e.g. `sha256:9f86…`.
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(s: &str) -> Result<Self, ImageRefError> {
        if s.is_empty() {
            return Err(ImageRefError::Empty);
        }
        let (name_tag, digest) = match s.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (s, None),
        };
        if let Some(d) = digest
            && !valid_digest(d)
        {
            return Err(ImageRefError::Digest(d.to_string()));
        }
        let last_slash = name_tag.rfind('/');
        let (name, tag) = match name_tag.rfind(':') {
            Some(colon) if last_slash.is_none_or(|sl| colon > sl) => {
                (&name_tag[..colon], Some(&name_tag[colon + 1..]))
            }
            _ => (name_tag, None),
        };
        if let Some(t) = tag
            && !valid_tag(t)
        {
            return Err(ImageRefError::Tag(t.to_string()));
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                if !valid_registry(first) {
                    return Err(ImageRefError::Registry(first.to_string()));
                }
                (Some(first), rest)
            }
            _ => (None, name),
        };
        if !valid_repository(repository) {
            return Err(ImageRefError::Repository(repository.to_string()));
        }
        Ok(Self {
            registry: registry.map(str::to_string),
            repository: repository.to_string(),
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
    }

    /// The tag read as SemVer (a leading `v` allowed), when it is one.
    pub fn semver(&self) -> Option<semver::Version> {
        let tag = self.tag.as_deref()?;
        let bare = tag
            .strip_prefix('v')
            .or_else(|| tag.strip_prefix('V'))
            .unwrap_or(tag);
        semver::Version::parse(bare).ok()
    }

    /// What a version column shows: the tag, else a short digest, else `latest` (what a
    /// registry serves for a reference without tag or digest).
    pub fn version_label(&self) -> String {
        match (&self.tag, &self.digest) {
            (Some(t), _) => t.clone(),
            (None, Some(d)) => short_digest(d),
            (None, None) => "latest".to_string(),
        }
    }

    /// A reference that can point at different builds over time: no digest, and the tag
    /// is `latest` or missing. A digest pins the build whatever the tag says.
    pub fn is_mutable(&self) -> bool {
        self.digest.is_none() && self.tag.as_deref().is_none_or(|t| t == "latest")
    }
}

/// `sha256:` and the first 12 characters of the encoded part.
fn short_digest(d: &str) -> String {
    match d.split_once(':') {
        Some((alg, enc)) => format!("{alg}:{}", enc.chars().take(12).collect::<String>()),
        None => d.to_string(),
    }
}

fn valid_tag(t: &str) -> bool {
    let mut chars = t.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && t.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn valid_digest(d: &str) -> bool {
    let Some((alg, enc)) = d.split_once(':') else {
        return false;
    };
    let alg_ok = !alg.is_empty()
        && alg.split(['+', '.', '_', '-']).all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    let enc_ok = !enc.is_empty()
        && enc
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '=' | '_' | '-'));
    let len_ok = match alg {
        "sha256" => enc.len() == 64 && enc.chars().all(|c| c.is_ascii_hexdigit()),
        "sha512" => enc.len() == 128 && enc.chars().all(|c| c.is_ascii_hexdigit()),
        _ => true,
    };
    alg_ok && enc_ok && len_ok
}

fn valid_registry(r: &str) -> bool {
    let (host, port) = match r.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (r, None),
    };
    !host.is_empty()
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// Path components of lowercase letters and digits, joined by `.`, `_`, `__` or dashes.
fn valid_repository(repo: &str) -> bool {
    !repo.is_empty()
        && repo.split('/').all(|part| {
            let bytes = part.as_bytes();
            let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
            bytes.first().is_some_and(alnum)
                && bytes.last().is_some_and(alnum)
                && bytes
                    .iter()
                    .all(|b| alnum(b) || matches!(b, b'.' | b'_' | b'-'))
                && !part.contains("..")
                && !part.contains("___")
        })
}

/// One image as a container spec names it, with its parsed form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub raw: String,
    pub parsed: Result<ImageRef, ImageRefError>,
}

impl Image {
    pub fn new(raw: &str) -> Self {
        Self {
            raw: raw.to_string(),
            parsed: ImageRef::parse(raw),
        }
    }

    /// The version label of a readable reference, the raw text otherwise.
    pub fn label(&self) -> String {
        match &self.parsed {
            Ok(r) => r.version_label(),
            Err(_) => self.raw.clone(),
        }
    }
}

/// The kind of change between two SemVer versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BumpKind {
    Major,
    Minor,
    Patch,
    /// Same `MAJOR.MINOR.PATCH`, different pre-release (`1.5.0-rc.1 → 1.5.0`).
    Prerelease,
    Downgrade,
    /// Equal precedence (build metadata is ignored, as SemVer says).
    Same,
}

impl BumpKind {
    pub fn between(from: &semver::Version, to: &semver::Version) -> Self {
        match from.cmp_precedence(to) {
            std::cmp::Ordering::Equal => Self::Same,
            std::cmp::Ordering::Greater => Self::Downgrade,
            std::cmp::Ordering::Less if from.major != to.major => Self::Major,
            std::cmp::Ordering::Less if from.minor != to.minor => Self::Minor,
            std::cmp::Ordering::Less if from.patch != to.patch => Self::Patch,
            std::cmp::Ordering::Less => Self::Prerelease,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Major => "major",
            Self::Minor => "minor",
            Self::Patch => "patch",
            Self::Prerelease => "prerelease",
            Self::Downgrade => "downgrade",
            Self::Same => "same",
        }
    }
}

/// `1.4.2 → 1.5.0 (minor)`: the tags as written and the kind of bump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionChange {
    pub from: String,
    pub to: String,
    pub kind: BumpKind,
}

impl VersionChange {
    /// The change when both references carry SemVer tags.
    pub fn between(stable: &ImageRef, new: &ImageRef) -> Option<Self> {
        let (a, b) = (stable.semver()?, new.semver()?);
        Some(Self {
            from: stable.tag.clone()?,
            to: new.tag.clone()?,
            kind: BumpKind::between(&a, &b),
        })
    }
}

impl fmt::Display for VersionChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} → {} ({})", self.from, self.to, self.kind.label())
    }
}

/// The images of one container: what runs as stable and what is being rolled out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerImages {
    pub name: String,
    /// The stable image; `None` when unknown (no stable revision yet, or the ReplicaSets
    /// that tell were not given to the converter).
    pub stable: Option<Image>,
    /// The image being rolled out (blue-green: the preview); `None` when nothing is in
    /// flight.
    pub canary: Option<Image>,
}

impl ContainerImages {
    pub fn change(&self) -> Option<VersionChange> {
        match (&self.stable, &self.canary) {
            (Some(s), Some(c)) => {
                VersionChange::between(s.parsed.as_ref().ok()?, c.parsed.as_ref().ok()?)
            }
            _ => None,
        }
    }
}

/// How loud a note is: warnings show in the overview, info only in the detail view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Info,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageNoteKind {
    /// `latest` or no tag, and no digest.
    MutableTag,
    /// A tag without a digest: the registry may serve another build under it.
    NoDigest,
    Unparseable(ImageRefError),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageNote {
    pub container: String,
    pub image: String,
    pub kind: ImageNoteKind,
    pub severity: Severity,
}

impl ImageNote {
    pub fn text(&self) -> String {
        match &self.kind {
            ImageNoteKind::MutableTag => {
                format!("{}: mutable tag ({})", self.container, self.image)
            }
            ImageNoteKind::NoDigest => format!(
                "{}: tag not pinned by digest ({})",
                self.container, self.image
            ),
            ImageNoteKind::Unparseable(e) => format!("{}: {e} ({})", self.container, self.image),
        }
    }
}

/// The notes for every distinct image of every container. `require_digest` makes a missing
/// digest a warning instead of an info note.
pub fn image_notes(containers: &[ContainerImages], require_digest: bool) -> Vec<ImageNote> {
    let mut notes = Vec::new();
    for c in containers {
        let mut images: Vec<&Image> = c.stable.iter().chain(c.canary.iter()).collect();
        images.dedup_by(|a, b| a.raw == b.raw);
        for img in images {
            let (kind, severity) = match &img.parsed {
                Err(e) => (ImageNoteKind::Unparseable(e.clone()), Severity::Warning),
                Ok(r) if r.is_mutable() => (ImageNoteKind::MutableTag, Severity::Warning),
                Ok(r) if r.digest.is_none() => (
                    ImageNoteKind::NoDigest,
                    if require_digest {
                        Severity::Warning
                    } else {
                        Severity::Info
                    },
                ),
                Ok(_) => continue,
            };
            notes.push(ImageNote {
                container: c.name.clone(),
                image: img.raw.clone(),
                kind,
                severity,
            });
        }
    }
    notes
}

#[cfg(test)]
#[path = "version_tests.rs"]
mod tests;
