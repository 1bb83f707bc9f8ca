//! Names and hashes the way Kubernetes controllers make them.

use serde_json::Value;

/// Kubernetes' "safe" alphabet (no vowels, no look-alikes), as `rand.SafeEncodeString` uses.
const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// FNV-1a, 32 bits.
pub fn fnv32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Each character mapped into the safe alphabet.
pub fn safe_encode(s: &str) -> String {
    s.bytes()
        .map(|b| SAFE[usize::from(b) % SAFE.len()] as char)
        .collect()
}

/// `rollouts-pod-template-hash` / `pod-template-hash` of a pod template: the FNV hash of its
/// canonical JSON (sorted keys), decimal, safe-encoded (as the controllers render it).
pub fn pod_template_hash(template: &Value) -> String {
    let mut t = template.clone();
    // The hash label itself is not part of what is hashed.
    if let Some(labels) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove("rollouts-pod-template-hash");
        labels.remove("pod-template-hash");
    }
    let text = serde_json::to_string(&t).unwrap_or_default();
    safe_encode(&fnv32(text.as_bytes()).to_string())
}

/// A random suffix of `n` safe characters (pod names: `web-6d4b8c-x7k2p`).
pub fn suffix(rng: &mut fastrand::Rng, n: usize) -> String {
    (0..n)
        .map(|_| SAFE[rng.usize(..SAFE.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn template_hashes_are_stable_safe_and_ignore_their_own_label() {
        let t = json!({"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"i:1"}]}});
        let h = pod_template_hash(&t);
        assert!(!h.is_empty() && h.len() <= 10, "{h}");
        assert!(h.bytes().all(|b| SAFE.contains(&b)), "{h}");
        let mut labelled = t.clone();
        labelled["metadata"]["labels"]["rollouts-pod-template-hash"] = json!(h.clone());
        assert_eq!(pod_template_hash(&labelled), h);
        let mut other = t.clone();
        other["spec"]["containers"][0]["image"] = json!("i:2");
        assert_ne!(pod_template_hash(&other), h);
        let mut rng = fastrand::Rng::with_seed(7);
        assert_eq!(suffix(&mut rng, 5).len(), 5);
    }
}
