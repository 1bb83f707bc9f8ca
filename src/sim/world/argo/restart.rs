//! `spec.restartAt`: pods created before it are deleted (their ReplicaSets replace them), a
//! few at a time within maxUnavailable, then `status.restartedAt` is set.

use serde_json::{Value, json};

use super::sets::rs_spec;
use super::spec::{self, replicas, text};
use super::{Halt, Recon};
use crate::sim::world::ctx::{frozen, meta};
use crate::sim::world::replicaset::is_ready;

impl Recon<'_, '_> {
    /// `spec.restartAt`: deletes pods created before it, a few at a time within
    /// maxUnavailable; once none is left sets `status.restartedAt`. Returns how many it
    /// deleted.
    pub fn restart_pods(&mut self) -> Result<usize, Halt> {
        let restart_at = text(&self.ro, "/spec/restartAt").to_string();
        if restart_at.is_empty() || text(self.old(), "/restartedAt") == restart_at {
            return Ok(0);
        }
        let Ok(at) = chrono::DateTime::parse_from_rfc3339(&restart_at) else {
            return Ok(0);
        };
        if self.ctx.now <= at {
            return Ok(0);
        }
        let mut order: Vec<usize> = (0..self.rss.len()).collect();
        order.sort_by_key(|i| {
            let prio = if Some(*i) == self.stable {
                0
            } else if Some(*i) == self.new {
                1
            } else {
                2
            };
            (prio, meta(&self.rss[*i], "creationTimestamp").to_string())
        });
        let ns = self.ns();
        let all_pods = self.ctx.list("v1", "Pod", Some(&ns));
        let mut pods: Vec<Value> = Vec::new();
        for i in &order {
            let uid = meta(&self.rss[*i], "uid");
            pods.extend(
                all_pods
                    .iter()
                    .filter(|p| owner_uid(p) == Some(uid))
                    .cloned(),
            );
        }
        let total: i64 = self.rss.iter().map(rs_spec).sum();
        let available = pods.iter().filter(|p| is_ready(p)).count() as i64;
        let concurrent = spec::max_unavailable(&self.ro).max(1);
        let mut can = available - (replicas(&self.ro).max(total) - concurrent);
        let (mut needs, mut restarted) = (0, 0);
        for p in &pods {
            let created = chrono::DateTime::parse_from_rfc3339(meta(p, "creationTimestamp"));
            if created.is_ok_and(|c| c >= at) {
                continue;
            }
            needs += 1;
            if can <= 0 || frozen(p) {
                continue;
            }
            self.ctx.delete(p).map_err(|_| Halt)?;
            can -= 1;
            restarted += 1;
        }
        if needs == restarted {
            self.st["restartedAt"] = json!(restart_at);
        }
        Ok(restarted)
    }
}

fn owner_uid(obj: &Value) -> Option<&str> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.get("controller") == Some(&json!(true)))
        .and_then(|r| r.get("uid"))
        .and_then(Value::as_str)
}
