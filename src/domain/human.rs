//! Ages as Kubernetes tools print them (Go's `duration.HumanDuration`), shared by the
//! simulator's `kubectl get` tables and the detail's revision tree.

use chrono::TimeDelta;

/// Go's `duration.HumanDuration`: `45s`, `5m2s`, `15m`, `3h5m`, `20h`, `3d4h`, `12d`, `2y3d`.
pub fn human_duration(d: TimeDelta) -> String {
    let secs = d.num_seconds();
    let (minutes, hours) = (secs / 60, secs / 3600);
    let (days, years) = (hours / 24, hours / 24 / 365);
    let pair = |a: i64, au: &str, b: i64, bu: &str| match b {
        0 => format!("{a}{au}"),
        _ => format!("{a}{au}{b}{bu}"),
    };
    match secs {
        s if s < -1 => "<invalid>".into(),
        s if s < 0 => "0s".into(),
        s if s < 120 => format!("{s}s"),
        _ if minutes < 10 => pair(minutes, "m", secs % 60, "s"),
        _ if minutes < 180 => format!("{minutes}m"),
        _ if hours < 8 => pair(hours, "h", minutes % 60, "m"),
        _ if hours < 48 => format!("{hours}h"),
        _ if hours < 24 * 8 => pair(days, "d", hours % 24, "h"),
        _ if hours < 24 * 365 * 2 => format!("{days}d"),
        _ if hours < 24 * 365 * 8 => pair(years, "y", days % 365, "d"),
        _ => format!("{years}y"),
    }
}
