//! The kinds the simulator serves: built-in ones and those of the embedded CRDs, with
//! everything discovery, tables and validation need.

use serde_json::Value;

/// One served resource (a kind at one group/version).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDef {
    /// API group; "" for the core group (`/api/v1`).
    pub group: String,
    pub version: String,
    /// Plural resource name as in URLs (`rollouts`).
    pub plural: String,
    pub singular: String,
    pub kind: String,
    /// The kind of list objects (`RolloutList`).
    pub list_kind: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    /// Verbs as discovery lists them (`get`, `list`, `watch`, `create`, `update`, `patch`,
    /// `delete`, `deletecollection`); create-only kinds such as reviews have only `create`.
    pub verbs: Vec<String>,
    /// Has a `/status` subresource (a `/status` write changes only status; a main write
    /// leaves status alone).
    pub status_subresource: bool,
    /// Has a `/scale` subresource.
    pub scale_subresource: bool,
    /// `additionalPrinterColumns` of the CRD version, or the built-in kind's columns.
    pub printer_columns: Vec<PrinterColumn>,
    /// `openAPIV3Schema` of the CRD version (custom kinds only).
    pub schema: Option<Value>,
    /// True for kinds from a CRD (strategic merge patch is refused with 415 for these).
    pub custom: bool,
}

impl ResourceDef {
    /// `group/version`, or just `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `rollouts.argoproj.io`, or `pods` for the core group (as in RBAC messages).
    pub fn group_resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

/// A table column: a CRD `additionalPrinterColumns` entry, or a built-in kind's column.
#[derive(Debug, Clone, PartialEq)]
pub struct PrinterColumn {
    pub name: String,
    /// OpenAPI type: string, integer, number, boolean, date.
    pub type_: String,
    pub format: String,
    pub description: String,
    pub priority: i64,
    /// A JSONPath (`.status.phase`) for CRD columns; for built-in columns a name the table
    /// module computes (see `table.rs`), written as `builtin:<what>`.
    pub json_path: String,
}
