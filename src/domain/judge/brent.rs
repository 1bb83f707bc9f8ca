//! Brent's root finder: the published `zeroin` procedure (R. P. Brent, "Algorithms for
//! Minimization without Derivatives", 1973; Forsythe, Malcolm and Moler, 1977), bisection
//! safeguarded with secant and inverse quadratic interpolation steps. R's `uniroot` and
//! Kayenta's `BrentSolver` follow the same procedure.
//!
//! The Mann-Whitney interval bounds are roots of a *step* function, so the point a solver
//! stops at depends on its whole path, not only on the tolerance. Matching R to 1e-6 with a
//! 1e-4 tolerance is only possible by taking the procedure's steps in the published order,
//! which is why this follows it exactly instead of a simplified variant.

/// Root-finding tolerance used by R's `wilcox.test` and by Kayenta.
pub const ROOT_TOLERANCE: f64 = 1e-4;

/// Iteration cap used by R's `uniroot` and by Kayenta.
pub const MAX_ITERATIONS: usize = 1000;

/// Where a search stopped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Root {
    /// The approximation of the root.
    pub x: f64,
    /// Function evaluations spent (endpoint values are supplied by the caller, not counted).
    pub evaluations: usize,
    /// False when the iteration cap was hit; `x` is then the last approximation (R warns and
    /// returns it too).
    pub converged: bool,
}

/// Finds a zero of `f` in `[ax, bx]` given `fa = f(ax)` and `fb = f(bx)` of opposite signs.
///
/// `f` returns `None` to abort the search (the caller could not evaluate it); the search then
/// returns `None`. Non-finite values are clamped to `±f64::MAX`, as R's wrapper does.
pub fn zeroin<F>(
    ax: f64,
    bx: f64,
    fa: f64,
    fb: f64,
    tol: f64,
    max_iterations: usize,
    mut f: F,
) -> Option<Root>
where
    F: FnMut(f64) -> Option<f64>,
{
    let done = |x: f64, evaluations: usize| {
        Some(Root {
            x,
            evaluations,
            converged: true,
        })
    };
    let (mut a, mut b) = (ax, bx);
    let (mut fa, mut fb) = (fa, fb);
    let mut c = a;
    let mut fc = fa;
    if fa == 0.0 {
        return done(a, 0);
    }
    if fb == 0.0 {
        return done(b, 0);
    }
    let mut evaluations = 0;
    for _ in 0..=max_iterations {
        let prev_step = b - a;
        if fc.abs() < fb.abs() {
            // Make b the best approximation so far.
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol_act = 2.0 * f64::EPSILON * b.abs() + tol / 2.0;
        let mut new_step = (c - b) / 2.0;
        if new_step.abs() <= tol_act || fb == 0.0 {
            return done(b, evaluations);
        }
        // Interpolate when the previous step was large enough and went the right way.
        if prev_step.abs() >= tol_act && fa.abs() > fb.abs() {
            let cb = c - b;
            let (mut p, mut q);
            if a == c {
                // Two distinct points: secant step.
                let t1 = fb / fa;
                p = cb * t1;
                q = 1.0 - t1;
            } else {
                // Three points: inverse quadratic interpolation.
                q = fa / fc;
                let t1 = fb / fc;
                let t2 = fb / fa;
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0));
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if p < (0.75 * cb * q - (tol_act * q).abs() / 2.0) && p < (prev_step * q / 2.0).abs() {
                new_step = p / q;
            }
        }
        if new_step.abs() < tol_act {
            new_step = if new_step > 0.0 { tol_act } else { -tol_act };
        }
        a = b;
        fa = fb;
        b += new_step;
        fb = clamp(f(b)?);
        evaluations += 1;
        if (fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0) {
            // Keep c on the other side of the root from b.
            c = a;
            fc = fa;
        }
    }
    Some(Root {
        x: b,
        evaluations,
        converged: false,
    })
}

/// R replaces `-Inf` by `-DBL_MAX` and any other non-finite value by `+DBL_MAX`.
fn clamp(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else if v == f64::NEG_INFINITY {
        -f64::MAX
    } else {
        f64::MAX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solve(f: fn(f64) -> f64, a: f64, b: f64, tol: f64) -> Root {
        zeroin(a, b, f(a), f(b), tol, MAX_ITERATIONS, |x| Some(f(x))).unwrap()
    }

    #[test]
    fn finds_roots_of_smooth_functions() {
        type Case = (fn(f64) -> f64, f64, f64, f64);
        let cases: [Case; 4] = [
            (|x| x * x - 2.0, 0.0, 2.0, std::f64::consts::SQRT_2),
            (|x| x.cos() - x, 0.0, 1.0, 0.739_085_133_215_160_6),
            (|x| x * x * x - x - 1.0, 1.0, 2.0, 1.324_717_957_244_746),
            (|x| (x - 0.3).exp() - 1.0, -5.0, 5.0, 0.3),
        ];
        for (f, a, b, want) in cases {
            let root = solve(f, a, b, 1e-12);
            assert!(root.converged);
            assert!((root.x - want).abs() < 1e-10, "{} vs {want}", root.x);
        }
    }

    #[test]
    fn endpoint_zero_is_returned_without_evaluating() {
        let root = zeroin(1.0, 2.0, 0.0, 5.0, 1e-4, 10, |_| None).unwrap();
        assert_eq!((root.x, root.evaluations), (1.0, 0));
        let root = zeroin(1.0, 2.0, -5.0, 0.0, 1e-4, 10, |_| None).unwrap();
        assert_eq!((root.x, root.evaluations), (2.0, 0));
    }

    #[test]
    fn step_function_root_lands_within_tolerance_of_the_jump() {
        let f = |x: f64| if x < 0.123_456 { 1.0 } else { -1.0 };
        let root = solve(f, -10.0, 10.0, ROOT_TOLERANCE);
        assert!((root.x - 0.123_456).abs() <= ROOT_TOLERANCE, "{}", root.x);
    }

    #[test]
    fn aborts_when_the_function_cannot_be_evaluated() {
        assert!(zeroin(0.0, 1.0, -1.0, 1.0, 1e-4, 10, |_| None).is_none());
    }

    #[test]
    fn reports_non_convergence_at_the_iteration_cap() {
        let root = zeroin(0.0, 1e6, -1.0, 1.0, 1e-12, 2, |x| Some(x - 123.0)).unwrap();
        assert!(!root.converged);
        assert_eq!(root.evaluations, 3);
    }

    #[test]
    fn clamps_non_finite_values() {
        assert_eq!(clamp(f64::INFINITY), f64::MAX);
        assert_eq!(clamp(f64::NAN), f64::MAX);
        assert_eq!(clamp(f64::NEG_INFINITY), -f64::MAX);
        assert_eq!(clamp(-2.0), -2.0);
    }
}
