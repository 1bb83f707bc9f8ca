use std::time::Duration;

use serde_json::json;

use super::{EvalError, condition, format_vector, go_duration, substitute};
use crate::sim::world::analysis::measure::judge;
use crate::sim::world::analysis::spec::Metric;

#[test]
fn conditions_values_durations_and_templates() {
    let r = [0.97];
    assert_eq!(condition("result[0] >= 0.95", &r), Ok(true));
    assert_eq!(
        condition("len(result) == 0 || result[0] < 0.95", &r),
        Ok(false)
    );
    assert_eq!(
        condition("len(result) == 0 || result[0] < 0.95", &[]),
        Ok(true)
    );
    assert_eq!(condition("result[0] > 0.9 && result[0] != 1", &r), Ok(true));
    assert_eq!(
        condition("!(result[0] <= 0.5) and isNaN(result[0]) == false", &r),
        Ok(true)
    );
    assert_eq!(
        condition("result == \"true\"", &r),
        Err(EvalError::Unsupported)
    );
    assert_eq!(
        condition("default(result[0], 0) > 1", &r),
        Err(EvalError::Unsupported)
    );
    assert!(matches!(
        condition("result[1] > 0", &r),
        Err(EvalError::Runtime(_))
    ));
    assert_eq!(
        format_vector(&[0.99, 1.0, f64::NAN, f64::INFINITY]),
        "[0.99,1,NaN,+Inf]"
    );
    assert_eq!(go_duration("1m30s"), Ok(Duration::from_secs(90)));
    assert_eq!(go_duration("250ms"), Ok(Duration::from_millis(250)));
    assert_eq!(
        go_duration("5"),
        Err("time: missing unit in duration \"5\"".into())
    );
    assert_eq!(
        go_duration("5d"),
        Err("time: unknown unit \"d\" in duration \"5d\"".into())
    );
    let args = [("svc".to_string(), "web".to_string())];
    assert_eq!(
        substitute("a{{args.svc}}b{{ args.svc }}", &args),
        Ok("awebbweb".into())
    );
    let m = Metric::from(&json!({"name": "m", "successCondition": "result[0] > 1"}));
    assert_eq!(
        judge(&[], &m),
        Err("could not evaluate successCondition \"result[0] > 1\": metric result is nil or empty: no data returned from the metric provider".into())
    );
}
