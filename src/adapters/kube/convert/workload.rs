//! ReplicaSets and pod templates: ownership, revisions and the images of each container.

use serde_json::Value;

use super::model::{Meta, PodTemplate, ReplicaSet};
use crate::domain::version::{ContainerImages, Image};

/// A container's name and image, as a pod template lists them.
pub(super) type NamedImage = (String, String);

/// The ReplicaSets in `list` owned by the object (`kind`, `meta`): by owner UID when the
/// object has one, else by owner kind and name. Unreadable ones are skipped: a related object
/// never spoils the row.
pub(super) fn owned_replica_sets(list: &[Value], kind: &str, owner: &Meta) -> Vec<ReplicaSet> {
    let uid = owner.uid.as_deref().filter(|u| !u.is_empty());
    list.iter()
        .filter_map(|v| super::parse::<ReplicaSet>(v).ok())
        .filter(|rs| {
            let same_ns = match (&rs.metadata.namespace, &owner.namespace) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            same_ns
                && rs.metadata.owner_references.iter().any(|o| match uid {
                    Some(uid) => o.uid == uid,
                    None => o.kind == kind && owner.name.as_deref() == Some(o.name.as_str()),
                })
        })
        .collect()
}

/// The pod-template hash label of a ReplicaSet (`rollouts-pod-template-hash` for Argo,
/// `pod-template-hash` for Deployments); empty when absent.
pub(super) fn hash(rs: &ReplicaSet, label: &str) -> String {
    rs.metadata.labels.get(label).cloned().unwrap_or_default()
}

/// The revision annotation of a ReplicaSet; 0 when absent or unreadable.
pub(super) fn revision(rs: &ReplicaSet, annotation: &str) -> i64 {
    rs.metadata
        .annotations
        .get(annotation)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// The containers of a pod template that name an image.
pub(super) fn images_of(template: &PodTemplate) -> Vec<NamedImage> {
    template
        .spec
        .containers
        .iter()
        .filter_map(|c| {
            let image = c.image.as_deref().filter(|i| !i.is_empty())?;
            Some((c.name.clone(), image.to_string()))
        })
        .collect()
}

/// Stable and new image per container. `current` is the desired template's containers;
/// when nothing is in flight they are the stable ones. Otherwise they are the new ones and
/// `stable` (when known) gives the stable image of each container by name; a container
/// that only the stable version has is listed with its stable image alone.
pub(super) fn container_images(
    current: &[NamedImage],
    stable: Option<&[NamedImage]>,
    in_flight: bool,
) -> Vec<ContainerImages> {
    if !in_flight {
        return current
            .iter()
            .map(|(name, image)| ContainerImages {
                name: name.clone(),
                stable: Some(Image::new(image)),
                canary: None,
            })
            .collect();
    }
    let stable = stable.unwrap_or_default();
    let stable_of = |name: &str| {
        stable
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, image)| Image::new(image))
    };
    let mut out: Vec<ContainerImages> = current
        .iter()
        .map(|(name, image)| ContainerImages {
            name: name.clone(),
            stable: stable_of(name),
            canary: Some(Image::new(image)),
        })
        .collect();
    for (name, image) in stable {
        if !current.iter().any(|(n, _)| n == name) {
            out.push(ContainerImages {
                name: name.clone(),
                stable: Some(Image::new(image)),
                canary: None,
            });
        }
    }
    out
}
