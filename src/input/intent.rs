//! Named intents (what a key means) and the scopes bindings live in.

use std::fmt;

/// Where a binding applies. Resolution walks from the narrowest active scope outwards; a
/// modal scope (dialog, text input) stops the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Global,
    /// A rollout row on the overview, or the rollout detail screen.
    Rollout,
    Alerts,
    Flags,
    Audit,
    /// An open confirmation dialog.
    Dialog,
    /// A text field (the `/` filter or the `:` palette) has the keyboard.
    Input,
}

impl Scope {
    pub const ALL: [Scope; 7] = [
        Scope::Global,
        Scope::Rollout,
        Scope::Alerts,
        Scope::Flags,
        Scope::Audit,
        Scope::Dialog,
        Scope::Input,
    ];

    /// The name used in `[keys.<scope>]`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::Rollout => "rollout",
            Self::Alerts => "alerts",
            Self::Flags => "flags",
            Self::Audit => "audit",
            Self::Dialog => "dialog",
            Self::Input => "input",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The heading of the scope on the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Global",
            Self::Rollout => "Rollout",
            Self::Alerts => "Alerts",
            Self::Flags => "Flags",
            Self::Audit => "Audit",
            Self::Dialog => "Dialog",
            Self::Input => "Text input",
        }
    }

    /// Modal scopes take every key; wider scopes are not consulted.
    pub fn is_modal(self) -> bool {
        matches!(self, Self::Dialog | Self::Input)
    }

    /// Screen scopes: a dangerous key bound in one of these (or global) may not mean
    /// anything else in another.
    pub fn is_screen_or_global(self) -> bool {
        matches!(
            self,
            Self::Global | Self::Rollout | Self::Alerts | Self::Flags | Self::Audit
        )
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! intents {
    ($( $variant:ident => $name:literal, $scope:ident, $dangerous:literal, $desc:literal; )*) => {
        /// Everything a key can ask for. Each intent belongs to one scope, has a config name,
        /// a description for the footer and help, and a `dangerous` flag (it changes the
        /// cluster or the platform: hidden and refused in read-only mode, never reused on
        /// another screen).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Intent { $( $variant, )* }

        impl Intent {
            pub const ALL: &'static [Intent] = &[ $( Intent::$variant, )* ];

            /// The name used in `[keys.<scope>]` and in the help screen.
            pub fn name(self) -> &'static str {
                match self { $( Intent::$variant => $name, )* }
            }

            pub fn scope(self) -> Scope {
                match self { $( Intent::$variant => Scope::$scope, )* }
            }

            pub fn dangerous(self) -> bool {
                match self { $( Intent::$variant => $dangerous, )* }
            }

            pub fn description(self) -> &'static str {
                match self { $( Intent::$variant => $desc, )* }
            }
        }
    };
}

intents! {
    Help => "help", Global, false, "show the keys in effect";
    Palette => "palette", Global, false, "command palette";
    Filter => "filter", Global, false, "filter the list";
    Back => "back", Global, false, "back / clear filter";
    Open => "open", Global, false, "open the selected item";
    Down => "down", Global, false, "move down";
    Up => "up", Global, false, "move up";
    PageDown => "page_down", Global, false, "page down";
    PageUp => "page_up", Global, false, "page up";
    Top => "top", Global, false, "first row";
    Bottom => "bottom", Global, false, "last row";
    NextPanel => "next_panel", Global, false, "next panel";
    ScreenRollouts => "screen_rollouts", Global, false, "rollouts screen";
    ScreenAlerts => "screen_alerts", Global, false, "alerts screen";
    ScreenFlags => "screen_flags", Global, false, "flags screen";
    ScreenAudit => "screen_audit", Global, false, "audit screen";
    PlatformReadOnly => "platform_read_only", Global, true, "platform read-only switch";
    Quit => "quit", Global, false, "quit shipdeck";
    Approve => "approve", Rollout, true, "approve / promote one step";
    PromoteFull => "promote_full", Rollout, true, "promote fully";
    PauseResume => "pause_resume", Rollout, true, "pause, or resume a paused rollout";
    Abort => "abort", Rollout, true, "abort (traffic back to stable)";
    Retry => "retry", Rollout, true, "retry an aborted rollout";
    Rollback => "rollback", Rollout, true, "roll back (one key)";
    Undo => "undo", Rollout, true, "undo to the previous revision";
    Acknowledge => "acknowledge", Alerts, false, "acknowledge the alert";
    ToggleFlag => "toggle_flag", Flags, true, "toggle the flag";
    SortFlags => "sort_flags", Flags, false, "cycle the sort order";
    Confirm => "confirm", Dialog, false, "confirm the focused button";
    Cancel => "cancel", Dialog, false, "cancel";
    FocusNext => "focus_next", Dialog, false, "next button";
    Accept => "accept", Input, false, "accept";
    Dismiss => "dismiss", Input, false, "cancel the input";
    Complete => "complete", Input, false, "complete the command";
    PrevItem => "prev_item", Input, false, "previous suggestion";
    NextItem => "next_item", Input, false, "next suggestion";
}

impl Intent {
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|i| i.name() == name)
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut names: Vec<_> = Intent::ALL.iter().map(|i| i.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Intent::ALL.len());
        for i in Intent::ALL {
            assert_eq!(Intent::parse(i.name()), Some(*i));
        }
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.name()), Some(s));
        }
    }

    #[test]
    fn the_rollout_actions_are_dangerous_and_navigation_is_not() {
        assert!(Intent::Approve.dangerous());
        assert!(Intent::Rollback.dangerous());
        assert!(Intent::PlatformReadOnly.dangerous());
        assert!(Intent::ToggleFlag.dangerous());
        assert!(!Intent::Down.dangerous());
        assert!(!Intent::Quit.dangerous());
    }
}
