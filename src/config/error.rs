//! Config errors that name the file, line, column and key, and say what was expected.

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{}", at(file, *line, *column, key, message))]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        /// The dotted key at fault (`ui.refresh`), empty for a syntax error.
        key: String,
        message: String,
    },
}

fn at(file: &str, line: usize, column: usize, key: &str, message: &str) -> String {
    let key = if key.is_empty() {
        String::new()
    } else {
        format!(" `{key}`:")
    };
    format!("config error in {file}:{line}:{column}:{key} {message}")
}

impl ConfigError {
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::Invalid { key, .. } => Some(key),
            Self::Read { .. } => None,
        }
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let t = "a = 1\n[ui]\ntheme = 3\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, 19), (3, 9));
        assert_eq!(line_col(t, 999), (4, 1));
    }
}
