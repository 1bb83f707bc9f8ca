//! Answers of the Prometheus HTTP API as domain values (converted at the edge by
//! `adapters::prometheus`). Sample values keep `NaN` and `±Inf`: they mean something.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One sample: Unix time in seconds and the value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub t: f64,
    pub v: f64,
}

/// A labelled series: one sample for an instant vector, many for a range matrix.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub samples: Vec<Sample>,
}

impl Series {
    /// The newest sample's value.
    pub fn last(&self) -> Option<f64> {
        self.samples.last().map(|s| s.v)
    }
}

/// `data` of a successful answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum QueryData {
    Vector(Vec<Series>),
    Matrix(Vec<Series>),
    Scalar(Sample),
    String { t: f64, value: String },
}

impl QueryData {
    /// The series of a vector or matrix (a scalar becomes one unlabelled series).
    pub fn into_series(self) -> Vec<Series> {
        match self {
            Self::Vector(s) | Self::Matrix(s) => s,
            Self::Scalar(sample) => vec![Series {
                labels: BTreeMap::new(),
                samples: vec![sample],
            }],
            Self::String { .. } => Vec::new(),
        }
    }
}
