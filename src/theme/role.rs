//! The semantic roles a theme defines.

macro_rules! roles {
    ($( $variant:ident => $name:literal, $bold:literal, $rev:literal; )*) => {
        /// A semantic style role. Widgets ask for a role, never for a colour.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Role { $( $variant, )* }

        impl Role {
            pub const ALL: &'static [Role] = &[ $( Role::$variant, )* ];

            /// The dotted name used in theme files.
            pub fn name(self) -> &'static str {
                match self { $( Role::$variant => $name, )* }
            }

            /// Bold in monochrome (the role carries urgency that colour would have shown).
            pub fn mono_bold(self) -> bool {
                match self { $( Role::$variant => $bold, )* }
            }

            /// Reverse video in monochrome (selection, banners).
            pub fn mono_reverse(self) -> bool {
                match self { $( Role::$variant => $rev, )* }
            }
        }
    };
}

roles! {
    StatusHealthy => "status.healthy", false, false;
    StatusProgressing => "status.progressing", false, false;
    StatusPaused => "status.paused", true, false;
    StatusDegraded => "status.degraded", true, false;
    StatusFailed => "status.failed", true, false;
    StatusUnknown => "status.unknown", false, false;
    ChromeText => "chrome.text", false, false;
    ChromeDim => "chrome.dim", false, false;
    ChromeBorder => "chrome.border", false, false;
    ChromeTitle => "chrome.title", true, false;
    ChromeHeader => "chrome.header", false, true;
    ChromeSelection => "chrome.selection", false, true;
    ChromeKey => "chrome.key", true, false;
    ChromeReadOnly => "chrome.read_only", true, true;
    ChromeMatch => "chrome.match", true, false;
    ChromeFlash => "chrome.flash", true, false;
    AlertCritical => "alert.critical", true, true;
    AlertWarning => "alert.warning", true, false;
    AlertInfo => "alert.info", false, false;
    ChartCanary => "chart.canary", false, false;
    ChartStable => "chart.stable", false, false;
    ChartThreshold => "chart.threshold", true, false;
}

impl Role {
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// All role names, comma-separated, for error messages.
    pub fn names() -> String {
        Self::ALL
            .iter()
            .map(|r| r.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
