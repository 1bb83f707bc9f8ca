//! The catalog of served kinds (contract stub; implementation in progress).
use super::catalog::ResourceDef;

pub struct Catalog {
    defs: Vec<ResourceDef>,
}

impl Catalog {
    /// Built-in kinds plus every served version of the embedded CRDs, parsed once per process.
    pub fn get() -> &'static Catalog {
        static C: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        C.get_or_init(|| Catalog { defs: Vec::new() })
    }
    pub fn defs(&self) -> &[ResourceDef] {
        &self.defs
    }
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceDef> {
        self.defs.iter().find(|d| d.group == group && d.version == version && d.plural == plural)
    }
    pub fn find_kind(&self, api_version: &str, kind: &str) -> Option<&ResourceDef> {
        self.defs.iter().find(|d| d.api_version() == api_version && d.kind == kind)
    }
}
