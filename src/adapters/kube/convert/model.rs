//! The fields of the foreign objects that the conversion reads, and nothing else. Absent or
//! `null` fields read as their default; a field of the wrong type is a conversion error.
//! Group and version are not checked (old ReplicaSets come as `extensions/v1beta1`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `null` reads as the default, like an absent field.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A number or a string holding one (`observedGeneration` is a string on Rollouts).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum NumOrString {
    Num(i64),
    Str(String),
}

impl NumOrString {
    pub fn text(&self) -> String {
        match self {
            Self::Num(n) => n.to_string(),
            Self::Str(s) => s.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Meta {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub uid: Option<String>,
    pub resource_version: Option<String>,
    pub generation: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
    #[serde(deserialize_with = "nullable")]
    pub annotations: BTreeMap<String, String>,
    pub creation_timestamp: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "nullable")]
    pub owner_references: Vec<OwnerRef>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OwnerRef {
    #[serde(deserialize_with = "nullable")]
    pub kind: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub uid: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Condition {
    #[serde(rename = "type", deserialize_with = "nullable")]
    pub kind: String,
    #[serde(deserialize_with = "nullable")]
    pub reason: String,
    #[serde(deserialize_with = "nullable")]
    pub message: String,
    pub last_transition_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PodTemplate {
    pub spec: PodSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PodSpec {
    #[serde(deserialize_with = "nullable")]
    pub containers: Vec<Container>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Container {
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    pub image: Option<String>,
}

// ---- Argo Rollouts ----------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Rollout {
    #[serde(deserialize_with = "nullable")]
    pub metadata: Meta,
    #[serde(deserialize_with = "nullable")]
    pub spec: RolloutSpec,
    #[serde(deserialize_with = "nullable")]
    pub status: RolloutStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RolloutSpec {
    pub replicas: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    pub paused: bool,
    pub restart_at: Option<DateTime<Utc>>,
    pub workload_ref: Option<ObjectRef>,
    pub template: PodTemplate,
    pub strategy: Strategy,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectRef {
    #[serde(deserialize_with = "nullable")]
    pub kind: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Strategy {
    pub canary: Option<CanaryStrategy>,
    pub blue_green: Option<BlueGreenStrategy>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CanaryStrategy {
    #[serde(deserialize_with = "nullable")]
    pub steps: Vec<Step>,
    pub traffic_routing: Option<TrafficRouting>,
    pub ping_pong: Option<Value>,
    pub canary_service: Option<String>,
    pub stable_service: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TrafficRouting {
    pub max_traffic_weight: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Step {
    pub set_weight: Option<i64>,
    pub pause: Option<PauseStep>,
    pub analysis: Option<Value>,
    pub experiment: Option<Value>,
    pub set_canary_scale: Option<Value>,
    pub set_header_route: Option<Value>,
    pub set_mirror_route: Option<Value>,
    pub plugin: Option<PluginStep>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PauseStep {
    pub duration: Option<NumOrString>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PluginStep {
    #[serde(deserialize_with = "nullable")]
    pub name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BlueGreenStrategy {
    pub post_promotion_analysis: Option<Value>,
    pub active_service: Option<String>,
    pub preview_service: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RolloutStatus {
    #[serde(deserialize_with = "nullable")]
    pub abort: bool,
    pub aborted_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "nullable")]
    pub pause_conditions: Vec<PauseCondition>,
    #[serde(deserialize_with = "nullable")]
    pub controller_pause: bool,
    pub current_pod_hash: Option<String>,
    #[serde(rename = "stableRS")]
    pub stable_rs: Option<String>,
    pub current_step_index: Option<i64>,
    pub replicas: Option<i64>,
    pub updated_replicas: Option<i64>,
    pub ready_replicas: Option<i64>,
    pub available_replicas: Option<i64>,
    pub canary: CanaryStatus,
    pub blue_green: BlueGreenStatus,
    pub phase: Option<String>,
    pub message: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub conditions: Vec<Condition>,
    pub observed_generation: Option<NumOrString>,
    pub workload_observed_generation: Option<NumOrString>,
    pub restarted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PauseCondition {
    #[serde(deserialize_with = "nullable")]
    pub reason: String,
    pub start_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CanaryStatus {
    pub weights: Option<TrafficWeights>,
    pub current_step_analysis_run_status: Option<AnalysisRunStatus>,
    pub current_background_analysis_run_status: Option<AnalysisRunStatus>,
    pub stable_ping_pong: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TrafficWeights {
    pub canary: WeightDestination,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WeightDestination {
    pub weight: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnalysisRunStatus {
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub status: String,
    #[serde(deserialize_with = "nullable")]
    pub message: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BlueGreenStatus {
    pub active_selector: Option<String>,
    pub preview_selector: Option<String>,
    pub post_promotion_analysis_run_status: Option<AnalysisRunStatus>,
}

// ---- ReplicaSets and Deployments --------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplicaSet {
    #[serde(deserialize_with = "nullable")]
    pub metadata: Meta,
    #[serde(deserialize_with = "nullable")]
    pub spec: ReplicaSetSpec,
    #[serde(deserialize_with = "nullable")]
    pub status: WorkloadStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplicaSetSpec {
    pub template: PodTemplate,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Deployment {
    #[serde(deserialize_with = "nullable")]
    pub metadata: Meta,
    #[serde(deserialize_with = "nullable")]
    pub spec: DeploymentSpec,
    #[serde(deserialize_with = "nullable")]
    pub status: WorkloadStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeploymentSpec {
    pub replicas: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    pub paused: bool,
    pub template: PodTemplate,
}

/// Status of a ReplicaSet or a Deployment.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorkloadStatus {
    pub observed_generation: Option<i64>,
    pub replicas: Option<i64>,
    pub updated_replicas: Option<i64>,
    pub ready_replicas: Option<i64>,
    pub available_replicas: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    pub conditions: Vec<Condition>,
}

// ---- Flagger ----------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Canary {
    #[serde(deserialize_with = "nullable")]
    pub metadata: Meta,
    #[serde(deserialize_with = "nullable")]
    pub spec: CanarySpec,
    pub status: Option<FlaggerStatus>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CanarySpec {
    pub target_ref: ObjectRef,
    #[serde(deserialize_with = "nullable")]
    pub suspend: bool,
    #[serde(deserialize_with = "nullable")]
    pub skip_analysis: bool,
    pub analysis: Option<FlaggerAnalysis>,
    /// The deprecated name of `analysis`.
    pub canary_analysis: Option<FlaggerAnalysis>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FlaggerAnalysis {
    pub threshold: Option<i64>,
    pub iterations: Option<i64>,
    pub max_weight: Option<i64>,
    pub step_weight: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    pub step_weights: Vec<i64>,
    #[serde(deserialize_with = "nullable")]
    pub webhooks: Vec<FlaggerWebhook>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FlaggerWebhook {
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    /// `type`; Flagger's default is `rollout`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub url: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FlaggerStatus {
    pub phase: Option<String>,
    pub failed_checks: Option<i64>,
    pub canary_weight: Option<i64>,
    pub iterations: Option<i64>,
    pub last_transition_time: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "nullable")]
    pub conditions: Vec<Condition>,
}
