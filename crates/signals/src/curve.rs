//! Value → score curves.

/// A piecewise-linear map from a signal's value to a 0–100 score through
/// anchor points `(value, score)` with strictly increasing values, clamped
/// beyond the ends. With `log`, values are interpolated on a log scale
/// (for sizes that span orders of magnitude).
#[derive(Debug, Clone, Copy)]
pub struct Curve {
    pub points: &'static [(f64, f64)],
    pub log: bool,
}

impl Curve {
    pub const fn linear(points: &'static [(f64, f64)]) -> Curve {
        Curve { points, log: false }
    }

    pub const fn log(points: &'static [(f64, f64)]) -> Curve {
        Curve { points, log: true }
    }

    /// The score of `value`.
    pub fn score(&self, value: f64) -> f64 {
        let p = self.points;
        let Some((first, last)) = p.first().zip(p.last()) else {
            return 0.0;
        };
        if value.is_nan() {
            return 0.0;
        }
        if value <= first.0 {
            return first.1;
        }
        if value >= last.0 {
            return last.1;
        }
        let t = |x: f64| if self.log { x.max(1e-9).ln() } else { x };
        for w in p.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            if value <= x1 {
                let f = (t(value) - t(x0)) / (t(x1) - t(x0));
                return y0 + (y1 - y0) * f;
            }
        }
        last.1
    }

    /// Whether higher values score higher.
    pub fn higher_is_better(&self) -> bool {
        match (self.points.first(), self.points.last()) {
            (Some(a), Some(b)) => b.1 >= a.1,
            _ => true,
        }
    }

    /// The value range between the first and last anchors.
    pub fn domain(&self) -> (f64, f64) {
        match (self.points.first(), self.points.last()) {
            (Some(a), Some(b)) => (a.0, b.0),
            _ => (0.0, 0.0),
        }
    }

    /// The anchors as `value → score` text for documentation.
    pub fn describe(&self, unit: &str) -> String {
        let mut s = String::new();
        for (i, (x, y)) in self.points.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&format!("{} {unit} → {}", trim(*x), trim(*y)));
        }
        if self.log {
            s.push_str(" (interpolated on a log scale)");
        } else {
            s.push_str(" (linear in between)");
        }
        s
    }

    /// The value at which the curve reaches `score` (inverse), for targets.
    pub fn value_for(&self, score: f64) -> f64 {
        let p = self.points;
        let t = |x: f64| if self.log { x.max(1e-9).ln() } else { x };
        let inv = |x: f64| if self.log { x.exp() } else { x };
        for w in p.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let (lo, hi) = if y0 <= y1 { (y0, y1) } else { (y1, y0) };
            if (lo..=hi).contains(&score) && (y1 - y0).abs() > 0.0 {
                let f = (score - y0) / (y1 - y0);
                return inv(t(x0) + (t(x1) - t(x0)) * f);
            }
        }
        p.first().map_or(0.0, |f| f.0)
    }
}

pub(crate) fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_and_clamps() {
        let c = Curve::linear(&[(0.0, 100.0), (50.0, 0.0)]);
        assert_eq!(c.score(-5.0), 100.0);
        assert_eq!(c.score(25.0), 50.0);
        assert_eq!(c.score(80.0), 0.0);
        assert!(!c.higher_is_better());
        assert_eq!(c.value_for(50.0), 25.0);
    }

    #[test]
    fn log_scale() {
        let c = Curve::log(&[(100.0, 100.0), (1000.0, 0.0)]);
        assert!((c.score(316.227_766) - 50.0).abs() < 1e-6);
        assert!((c.value_for(50.0) - 316.227_766).abs() < 1e-3);
        assert_eq!(
            c.describe("lines"),
            "100 lines → 100, 1000 lines → 0 (interpolated on a log scale)"
        );
    }
}
