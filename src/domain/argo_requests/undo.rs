//! `u` / `:undo [revision]`: roll the template back to an older ReplicaSet's.

use serde_json::{Value, json};

use super::{JSON_PATCH, Plan, Request, RolloutFacts};

/// The template label that only ReplicaSets carry.
const HASH_LABEL: &str = "rollouts-pod-template-hash";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UndoError {
    #[error("no earlier revision to undo to (only {0} ReplicaSet(s) with a revision)")]
    NoPrevious(usize),
    #[error("revision {0} not found among the rollout's ReplicaSets")]
    NoSuchRevision(u64),
}

/// The revision an undo goes back to: exactly `to`, else the second-highest (what [`undo`]
/// picks; the executor shows it).
pub fn undo_target(owned: &[(u64, Value)], to: Option<u64>) -> Result<u64, UndoError> {
    target(owned, to).map(|t| t.0)
}

fn target(owned: &[(u64, Value)], to: Option<u64>) -> Result<&(u64, Value), UndoError> {
    match to {
        Some(n) => owned
            .iter()
            .find(|(r, _)| *r == n)
            .ok_or(UndoError::NoSuchRevision(n)),
        None => {
            let mut revs: Vec<&(u64, Value)> = owned.iter().filter(|(r, _)| *r > 0).collect();
            revs.sort_by_key(|r| std::cmp::Reverse(r.0));
            revs.get(1)
                .copied()
                .ok_or(UndoError::NoPrevious(revs.len()))
        }
    }
}

/// The undo plan. `owned`: the rollout's ReplicaSets as (revision annotation, pod template).
/// `to`: an exact revision, else the second-highest. `Ok(None)`: the template already is
/// that revision's ("skipped rollback").
pub fn undo(
    f: &RolloutFacts,
    current_template: &Value,
    owned: &[(u64, Value)],
    to: Option<u64>,
) -> Result<Option<Plan>, UndoError> {
    let target = target(owned, to)?;
    let mut template = target.1.clone();
    if let Some(labels) = template
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(HASH_LABEL);
    }
    if &template == current_template {
        return Ok(None);
    }
    Ok(Some(Plan {
        requests: vec![Request {
            verb: "PATCH",
            path: f.path(),
            content_type: JSON_PATCH,
            body: json!([{"op": "replace", "path": "/spec/template", "value": template}]),
        }],
        fallback: None,
        skips: Vec::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_is_the_revision_undo_picks() {
        let t = json!({});
        let owned = vec![(7, t.clone()), (5, t.clone()), (6, t.clone()), (0, t)];
        assert_eq!(undo_target(&owned, None), Ok(6));
        assert_eq!(undo_target(&owned, Some(5)), Ok(5));
        assert_eq!(
            undo_target(&owned, Some(9)),
            Err(UndoError::NoSuchRevision(9))
        );
        assert_eq!(
            undo_target(&owned[..1], None),
            Err(UndoError::NoPrevious(1))
        );
    }
}
