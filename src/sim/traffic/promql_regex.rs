//! Label-matcher regexes: RE2 syntax (as Go's `regexp`, which Prometheus uses), matched
//! against the whole value as Prometheus anchors them (`^(?s:re)$`). The `regex` crate
//! implements the same syntax in linear time, so no input can make the simulator hang.

use super::ParseError;

/// A label-matcher regex, anchored at both ends.
#[derive(Debug, Clone)]
pub struct Regex {
    source: String,
    compiled: regex::Regex,
}

impl PartialEq for Regex {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Regex {
    pub fn new(re: &str) -> Result<Self, ParseError> {
        let compiled = regex::Regex::new(&format!("^(?s:{re})$")).map_err(|e| {
            // The crate's message ends with a line `error: <what>`; Prometheus words it
            // `error parsing regexp: <what>: `<regex>``.
            let text = e.to_string();
            let what = text
                .lines()
                .rev()
                .find_map(|l| l.trim().strip_prefix("error: "))
                .unwrap_or(text.as_str())
                .to_string();
            ParseError::Syntax {
                pos: String::new(),
                msg: format!("error parsing regexp: {what}: `{re}`"),
            }
        })?;
        Ok(Self {
            source: re.to_string(),
            compiled,
        })
    }

    /// Whether the regex matches all of `s`.
    pub fn is_match(&self, s: &str) -> bool {
        self.compiled.is_match(s)
    }
}
