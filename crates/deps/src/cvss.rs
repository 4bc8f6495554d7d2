//! CVSS base scores from vector strings.
//!
//! v3.0 and v3.1: the specification's base-score equations (FIRST, CVSS v3.1
//! Specification, section 7.1, with Appendix A's `Roundup`). v4.0: an
//! approximation, not the specification's macro-vector lookup (which needs
//! FIRST's table of 270 scored macro vectors): the v4 base metrics are mapped
//! onto v3.1's — AV, AC, PR as they are; UI `N` as `N`, `P`/`A` as `R`; the
//! vulnerable system's VC/VI/VA as C/I/A, raised to the subsequent system's
//! SC/SI/SA where those are higher, in which case the scope counts as changed;
//! AT:P lowers AC to `H` — and scored with the v3.1 equations. v2 vectors are
//! not read: the advisory then has no severity.

/// The base score (0–10, one decimal) of a `CVSS:3.x/…` or `CVSS:4.0/…`
/// vector; `None` when the vector is neither or lacks a base metric.
pub fn base_score(vector: &str) -> Option<f64> {
    let (version, metrics) = vector.trim().split_once('/')?;
    let get = |name: &str| {
        metrics
            .split('/')
            .filter_map(|m| m.split_once(':'))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    };
    match version {
        "CVSS:3.0" | "CVSS:3.1" => v3(V3 {
            av: get("AV")?,
            ac: get("AC")?,
            pr: get("PR")?,
            ui: get("UI")?,
            changed: match get("S")? {
                "U" => false,
                "C" => true,
                _ => return None,
            },
            c: get("C")?,
            i: get("I")?,
            a: get("A")?,
        }),
        "CVSS:4.0" => {
            let higher = |own: &'static str, subsequent: &'static str| -> Option<(&str, bool)> {
                let own = get(own)?;
                let sub = get(subsequent)?;
                let rank = |x: &str| match x {
                    "H" => 2,
                    "L" => 1,
                    _ => 0,
                };
                Some(if rank(sub) > rank(own) {
                    (sub, true)
                } else {
                    (own, false)
                })
            };
            let (c, sc) = higher("VC", "SC")?;
            let (i, si) = higher("VI", "SI")?;
            let (a, sa) = higher("VA", "SA")?;
            let ac = if get("AT") == Some("P") {
                "H"
            } else {
                get("AC")?
            };
            v3(V3 {
                av: get("AV")?,
                ac,
                pr: get("PR")?,
                ui: if get("UI")? == "N" { "N" } else { "R" },
                changed: sc || si || sa,
                c,
                i,
                a,
            })
        }
        _ => None,
    }
}

struct V3<'v> {
    av: &'v str,
    ac: &'v str,
    pr: &'v str,
    ui: &'v str,
    changed: bool,
    c: &'v str,
    i: &'v str,
    a: &'v str,
}

fn v3(m: V3<'_>) -> Option<f64> {
    let cia = |x: &str| match x {
        "H" => Some(0.56_f64),
        "L" => Some(0.22),
        "N" => Some(0.0),
        _ => None,
    };
    let av = match m.av {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match m.ac {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (m.pr, m.changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match m.ui {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let iss: f64 = 1.0 - (1.0 - cia(m.c)?) * (1.0 - cia(m.i)?) * (1.0 - cia(m.a)?);
    let impact = if m.changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Some(0.0);
    }
    let raw = if m.changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Some(roundup(raw))
}

/// CVSS v3.1's `Roundup`: the smallest one-decimal number at or above the
/// input, computed on integers so floating-point noise does not round up.
fn roundup(x: f64) -> f64 {
    let int = (x * 100_000.0).round() as i64;
    if int % 10_000 == 0 {
        int as f64 / 100_000.0
    } else {
        (int / 10_000 + 1) as f64 / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::base_score;

    #[test]
    fn v3_vectors_score_as_first_publishes() {
        // Scores from FIRST's CVSS v3.1 calculator / NVD.
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0), // Log4Shell
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5), // regex ReDoS
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
            ("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
        ];
        for (vector, score) in cases {
            assert_eq!(base_score(vector), Some(score), "{vector}");
        }
    }

    #[test]
    fn v4_vectors_are_approximated_and_bad_vectors_refused() {
        let critical =
            base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
        assert_eq!(critical, Some(9.8));
        let lower =
            base_score("CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N").unwrap();
        assert!(lower < 4.0, "{lower}");
        assert_eq!(base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P"), None);
        assert_eq!(
            base_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            None
        );
        assert_eq!(base_score("CVSS:3.1/AV:N"), None);
    }
}
