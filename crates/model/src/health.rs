//! The code-health bands, in one place for every crate that classifies a
//! 1–10 health score (the score itself is `friction-code`'s).

use serde::Serialize;

/// Band cut-offs, from CodeScene's Code Health categories (Green 9–10,
/// Yellow 4–8.9, Red 1–3.9; `codescene-mcp-server:src/docs/code-health/how-it-works.md`,
/// and the Code Red replication notebook's `<4 → alert`, `<9 → warning`).
pub const HEALTHY_FROM: f64 = 9.0;
pub const WARNING_FROM: f64 = 4.0;

/// The band of a code-health score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    Healthy,
    Warning,
    Alert,
}

impl Band {
    pub fn of(score: f64) -> Band {
        if score >= HEALTHY_FROM {
            Band::Healthy
        } else if score >= WARNING_FROM {
            Band::Warning
        } else {
            Band::Alert
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Healthy => "healthy",
            Band::Warning => "warning",
            Band::Alert => "alert",
        }
    }

    /// Whether a score is in the healthy band.
    pub fn is_healthy(score: f64) -> bool {
        Band::of(score) == Band::Healthy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_start_at_their_cut_offs() {
        assert_eq!(Band::of(HEALTHY_FROM), Band::Healthy);
        assert_eq!(Band::of(HEALTHY_FROM - 0.01), Band::Warning);
        assert_eq!(Band::of(WARNING_FROM), Band::Warning);
        assert_eq!(Band::of(WARNING_FROM - 0.01), Band::Alert);
        assert!(Band::is_healthy(10.0) && !Band::is_healthy(8.99));
    }
}
