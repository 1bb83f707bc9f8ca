//! A flag change the operator asked for, as data: the flag as seen, what changes, and the
//! exact requests (for a ConfigMap they need the definition's current text, read by the
//! executor before the dialog shows them). What is shown is what runs.

use super::argo_requests::Plan;
use super::flags::Flag;

/// What a flag change does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagChange {
    /// flagd: serve another variant by default (`None`: null, the coded default).
    SetDefault(Option<String>),
    /// flagd: `state` ENABLED / DISABLED (disabled = as if the flag did not exist).
    SetState(bool),
    /// Unleash: the environment on / off.
    Environment(bool),
}

/// The platform read-only switch, when the flag is `[platform] read_only_flag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSwitch {
    pub on: bool,
    /// How long the operator expects the platform to stay read-only (minutes).
    pub expected_minutes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FlagRequest {
    pub id: u64,
    /// The flag as the operator saw it (its `version` is the precondition).
    pub flag: Flag,
    pub change: FlagChange,
    /// `off → on`, `red → blue`, `ENABLED → DISABLED`.
    pub from_to: String,
    /// Empty until prepared (a ConfigMap's whole new document).
    pub plan: Plan,
    pub notes: Vec<String>,
    pub platform: Option<PlatformSwitch>,
    pub reason: Option<String>,
    pub identity: String,
    pub context: String,
}

impl FlagRequest {
    /// `flagd casino-prod new-slot-ui`, `unleash production new-cashier`.
    pub fn object(&self) -> String {
        format!(
            "{} {} {}",
            self.flag.backend.label(),
            self.flag.environment,
            self.flag.key
        )
    }

    /// The audit's action word.
    pub fn action(&self) -> &'static str {
        match (&self.platform, &self.change) {
            (Some(p), _) if p.on => "platform-read-only-on",
            (Some(_), _) => "platform-read-only-off",
            (None, FlagChange::SetState(false)) => "disable-flag",
            (None, FlagChange::SetState(true)) => "enable-flag",
            (None, _) => "toggle-flag",
        }
    }
}
