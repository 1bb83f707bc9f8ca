//! Typed durations in config files: `"30s"`, `"5m"`, `"1h30m"`, `"250ms"`.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigDuration(pub Duration);

impl ConfigDuration {
    pub const fn secs(s: u64) -> Self {
        Self(Duration::from_secs(s))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        humantime::parse_duration(text.trim())
            .map(Self)
            .map_err(|e| {
                format!(
                    "invalid duration \"{text}\" ({e}); write e.g. \"30s\", \"5m\" or \"1h30m\""
                )
            })
    }
}

impl fmt::Display for ConfigDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_duration(self.0))
    }
}

impl Serialize for ConfigDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for ConfigDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ConfigDuration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration string such as \"30s\", \"5m\" or \"1h30m\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                ConfigDuration::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_human_durations() {
        assert_eq!(ConfigDuration::parse("30s"), Ok(ConfigDuration::secs(30)));
        assert_eq!(
            ConfigDuration::parse("1h30m"),
            Ok(ConfigDuration::secs(5400))
        );
        assert_eq!(
            ConfigDuration::parse("250ms").map(|d| d.0.as_millis()),
            Ok(250)
        );
        assert_eq!(ConfigDuration::secs(90).to_string(), "1m 30s");
        assert!(
            ConfigDuration::parse("fast")
                .unwrap_err()
                .contains("\"30s\"")
        );
        assert!(ConfigDuration::parse("30").is_err());
    }
}
