//! Just enough of Kubernetes' protobuf encoding to read what kubectl's typed clients send
//! the simulator: `SelfSubjectReview` and `SelfSubjectAccessReview` bodies (`kubectl auth
//! whoami` / `auth can-i`). Everything else is JSON; other protobuf bodies get 415.
//!
//! Envelope: the magic `k8s\0`, then a `runtime.Unknown` message (typeMeta = 1 {apiVersion
//! = 1, kind = 2}, raw = 2). An access review: spec = 2 {resourceAttributes = 1 {namespace
//! = 1, verb = 2, group = 3, version = 4, resource = 5, subresource = 6, name = 7},
//! nonResourceAttributes = 2 {path = 1, verb = 2}}.

use serde_json::{Map, Value, json};

pub const MAGIC: &[u8] = b"k8s\0";

pub fn is_protobuf(content_type: &str) -> bool {
    content_type.starts_with("application/vnd.kubernetes.protobuf")
}

/// (field number, payload) of the length-delimited and varint fields of one message.
fn fields(mut b: &[u8]) -> Result<Vec<(u64, &[u8])>, String> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let (tag, rest) = varint(b)?;
        b = rest;
        let (field, wire) = (tag >> 3, tag & 7);
        match wire {
            0 => {
                let (_, rest) = varint(b)?;
                b = rest;
            }
            1 => b = b.get(8..).ok_or("truncated fixed64")?,
            5 => b = b.get(4..).ok_or("truncated fixed32")?,
            2 => {
                let (len, rest) = varint(b)?;
                let len = usize::try_from(len).map_err(|_| "length too large")?;
                let payload = rest.get(..len).ok_or("truncated field")?;
                out.push((field, payload));
                b = &rest[len..];
            }
            w => return Err(format!("unsupported wire type {w}")),
        }
    }
    Ok(out)
}

fn varint(b: &[u8]) -> Result<(u64, &[u8]), String> {
    let mut v = 0u64;
    for (i, byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((v, &b[i + 1..]));
        }
    }
    Err("bad varint".to_string())
}

fn strings(b: &[u8], names: &[(u64, &str)]) -> Result<Value, String> {
    let mut m = Map::new();
    for (field, payload) in fields(b)? {
        if let Some((_, name)) = names.iter().find(|(n, _)| *n == field) {
            m.insert(name.to_string(), json!(String::from_utf8_lossy(payload)));
        }
    }
    Ok(Value::Object(m))
}

/// Decodes a review body into the JSON a JSON client would have sent.
pub fn decode_review(body: &[u8]) -> Result<Value, String> {
    let inner = body
        .strip_prefix(MAGIC)
        .ok_or("not a Kubernetes protobuf body")?;
    let mut out = json!({});
    let mut raw: &[u8] = &[];
    for (field, payload) in fields(inner)? {
        match field {
            1 => {
                let tm = strings(payload, &[(1, "apiVersion"), (2, "kind")])?;
                if let Some(m) = tm.as_object() {
                    for (k, v) in m {
                        out[k] = v.clone();
                    }
                }
            }
            2 => raw = payload,
            _ => {}
        }
    }
    let mut spec = json!({});
    for (field, payload) in fields(raw)? {
        if field == 2 {
            for (f, attrs) in fields(payload)? {
                match f {
                    1 => {
                        spec["resourceAttributes"] = strings(
                            attrs,
                            &[
                                (1, "namespace"),
                                (2, "verb"),
                                (3, "group"),
                                (4, "version"),
                                (5, "resource"),
                                (6, "subresource"),
                                (7, "name"),
                            ],
                        )?;
                    }
                    2 => {
                        spec["nonResourceAttributes"] = strings(attrs, &[(1, "path"), (2, "verb")])?
                    }
                    _ => {}
                }
            }
        }
    }
    out["spec"] = spec;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(field: u64, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![((field << 3) | 2) as u8, payload.len() as u8];
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn decodes_an_access_review_as_kubectl_sends_it() {
        let attrs = [
            ld(1, b"casino-prod"),
            ld(2, b"patch"),
            ld(3, b"argoproj.io"),
            ld(5, b"rollouts"),
        ]
        .concat();
        let spec = ld(1, &attrs);
        let raw = [ld(1, &[]), ld(2, &spec), ld(3, &[])].concat();
        let type_meta = [
            ld(1, b"authorization.k8s.io/v1"),
            ld(2, b"SelfSubjectAccessReview"),
        ]
        .concat();
        let body = [MAGIC.to_vec(), ld(1, &type_meta), ld(2, &raw), ld(4, b"")].concat();
        let v = decode_review(&body).unwrap();
        assert_eq!(v["kind"], "SelfSubjectAccessReview");
        assert_eq!(v["spec"]["resourceAttributes"]["verb"], "patch");
        assert_eq!(v["spec"]["resourceAttributes"]["resource"], "rollouts");
        assert_eq!(v["spec"]["resourceAttributes"]["namespace"], "casino-prod");
        assert!(decode_review(b"{}").is_err());
        assert!(decode_review(&[MAGIC, &[0x0a, 0x50]].concat()).is_err());
    }
}
