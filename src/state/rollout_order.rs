//! The overview's order and filter: how rows compare under each sort key, the pinned
//! group's urgency order, the `/` filter's terms.

use std::cmp::Ordering;

use crate::domain::rollout::RolloutRow;

use super::rollouts::SortKey;

/// A `/` filter: space-separated terms, all of which must match. `ns:<prefix>`,
/// `status:<phase prefix>` (or `status:attention`), `kind:<prefix>` (canary, bluegreen,
/// flagger, deploy); any other word is a substring of namespace/name, kind, phase or
/// versions. Case does not matter.
#[derive(Debug, Default)]
pub(super) struct FilterTerms {
    ns: Vec<String>,
    status: Vec<String>,
    kind: Vec<String>,
    words: Vec<String>,
}

impl FilterTerms {
    pub(super) fn parse(filter: &str) -> Self {
        let mut t = Self::default();
        for word in filter.to_lowercase().split_whitespace() {
            match word.split_once(':') {
                Some(("ns", v)) => t.ns.push(v.to_string()),
                Some(("status", v)) => t.status.push(v.to_string()),
                Some(("kind", v)) => t.kind.push(v.to_string()),
                _ => t.words.push(word.to_string()),
            }
        }
        t
    }

    pub(super) fn is_empty(&self) -> bool {
        self.ns.is_empty()
            && self.status.is_empty()
            && self.kind.is_empty()
            && self.words.is_empty()
    }

    pub(super) fn matches(&self, r: &RolloutRow) -> bool {
        let phase = r.phase.label().to_lowercase();
        self.ns
            .iter()
            .all(|n| r.key.namespace.to_lowercase().starts_with(n.as_str()))
            && self.status.iter().all(|s| {
                phase.starts_with(s.as_str())
                    || (s == "attention" && r.needs_attention())
                    || (s == "invalid" && r.invalid.is_some())
            })
            && self
                .kind
                .iter()
                .all(|k| r.key.kind.label().starts_with(k.as_str()))
            && (self.words.is_empty() || {
                let hay = r.haystack();
                self.words.iter().all(|w| hay.contains(w.as_str()))
            })
    }
}

/// Whether two versions of a row sort and filter alike: everything [`compare`],
/// [`pinned_order`] and [`FilterTerms`] read.
pub(super) fn same_place(sort: SortKey, a: &RolloutRow, b: &RolloutRow) -> bool {
    a.key == b.key
        && a.phase == b.phase
        && a.attention == b.attention
        && a.invalid.is_some() == b.invalid.is_some()
        && (sort != SortKey::Age || a.since == b.since)
        && a.stable_version() == b.stable_version()
        && a.new_version() == b.new_version()
}

/// Within the pinned group, the most urgent reason first.
pub(super) fn pinned_order(a: &RolloutRow, b: &RolloutRow) -> Ordering {
    if a.needs_attention() && b.needs_attention() {
        a.attention.cmp(&b.attention)
    } else {
        Ordering::Equal
    }
}

pub(super) fn compare(sort: SortKey, a: &RolloutRow, b: &RolloutRow) -> Ordering {
    let by_ns_name = || {
        a.key
            .namespace
            .cmp(&b.key.namespace)
            .then_with(|| a.key.name.cmp(&b.key.name))
            .then_with(|| a.key.kind.cmp(&b.key.kind))
    };
    match sort {
        SortKey::Namespace => by_ns_name(),
        SortKey::Name => a.key.name.cmp(&b.key.name).then_with(by_ns_name),
        SortKey::Phase => a.phase.cmp(&b.phase).then_with(by_ns_name),
        // Newest change first; rows without a time go last.
        SortKey::Age => match (a.since, b.since) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
        .then_with(by_ns_name),
        SortKey::Kind => a.key.kind.cmp(&b.key.kind).then_with(by_ns_name),
    }
}
