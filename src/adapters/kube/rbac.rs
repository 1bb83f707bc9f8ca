//! SelfSubjectAccessReview for each verb the actions need. (Contract stub.)

use crate::domain::permissions::Need;

/// Asks the API server whether we may do each of `needs` in `namespace` (`""`: all).
pub async fn check(
    _client: &kube::Client,
    _namespace: &str,
    needs: &[Need],
) -> Result<Vec<(Need, bool)>, String> {
    let _ = needs;
    Err("not implemented".into())
}
