//! Every request the simulator answered, so tests can assert exactly what a client sent
//! (`GET /sim/v1/requests`).

use std::collections::VecDeque;

use serde::Serialize;
use serde_json::Value;

const CAPACITY: usize = 50_000;

#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub seq: u64,
    pub at: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    /// The body as JSON when it parses, else as a string; null when empty.
    pub body: Value,
    pub identity: String,
    pub status: u16,
}

#[derive(Debug, Default)]
pub struct RequestLog {
    records: VecDeque<Record>,
    next: u64,
}

impl RequestLog {
    pub fn push(&mut self, mut r: Record) {
        self.next += 1;
        r.seq = self.next;
        if self.records.len() == CAPACITY {
            self.records.pop_front();
        }
        self.records.push_back(r);
    }

    /// Records after `since` (a `seq`), oldest first.
    pub fn since(&self, since: u64) -> Vec<Record> {
        self.records
            .iter()
            .filter(|r| r.seq > since)
            .cloned()
            .collect()
    }

    pub fn clear(&mut self) {
        self.records.clear();
    }
}

/// The body as the log keeps it.
pub fn body_value(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    }
}
