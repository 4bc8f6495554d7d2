//! Line templates in the manner of Drain (He et al., ICWS 2017): lines are grouped by
//! token count and first token; within a group a line joins the most similar template
//! when the share of equal tokens is at least 0.4 (Drain's `sim_th`), and the differing
//! positions become `<*>`. Tokens holding digits are masked as `<*>` first (Drain's
//! number masking), so `1.2.3` and `4.5.6` share a template. Template ids never change
//! once given, so a fingerprint taken early stays valid.

use serde::{Deserialize, Serialize};

/// Drain's similarity threshold.
pub const SIM_TH: f64 = 0.4;
/// Tokens kept per line: longer lines are cut (a flood of one long line stays one template).
const MAX_TOKENS: usize = 64;
const WILDCARD: &str = "<*>";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Drain {
    templates: Vec<Vec<String>>,
    /// When frozen (drift replay), unmatched lines get provisional ids and do not
    /// change the learnt templates.
    frozen: bool,
    extra: Vec<Vec<String>>,
}

fn tokens(line: &str) -> Vec<String> {
    line.split_whitespace()
        .take(MAX_TOKENS)
        .map(|t| {
            if t.bytes().any(|b| b.is_ascii_digit()) {
                WILDCARD.to_owned()
            } else {
                t.to_owned()
            }
        })
        .collect()
}

fn same_group(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && match (a.first(), b.first()) {
            (Some(x), Some(y)) => x == y || x == WILDCARD || y == WILDCARD,
            _ => true,
        }
}

fn similarity(template: &[String], line: &[String]) -> f64 {
    if template.is_empty() {
        return 1.0;
    }
    let equal = template
        .iter()
        .zip(line)
        .filter(|(t, l)| *t == *l || *t == WILDCARD)
        .count();
    equal as f64 / template.len() as f64
}

impl Drain {
    /// A Drain that already knows these templates (from a spec) and learns no more.
    pub fn frozen(templates: &[Template]) -> Self {
        Drain {
            templates: templates
                .iter()
                .map(|t| tokens_of_template(&t.text))
                .collect(),
            frozen: true,
            extra: Vec::new(),
        }
    }

    /// The template id of a line, learning from it unless frozen.
    pub fn template_of(&mut self, line: &str) -> String {
        let toks = tokens(line);
        let best = self
            .templates
            .iter()
            .enumerate()
            .filter(|(_, t)| same_group(t, &toks))
            .map(|(i, t)| (i, similarity(t, &toks)))
            .filter(|(_, s)| *s >= SIM_TH)
            // The most similar; the oldest on a tie (deterministic).
            .fold(None::<(usize, f64)>, |best, (i, s)| match best {
                Some((_, bs)) if bs >= s => best,
                _ => Some((i, s)),
            });
        if let Some((i, _)) = best {
            if !self.frozen {
                let t = &mut self.templates[i];
                for (slot, tok) in t.iter_mut().zip(&toks) {
                    if slot != tok {
                        *slot = WILDCARD.to_owned();
                    }
                }
            }
            return format!("T{}", i + 1);
        }
        if self.frozen {
            let pos = match self.extra.iter().position(|t| *t == toks) {
                Some(p) => p,
                None => {
                    self.extra.push(toks);
                    self.extra.len() - 1
                }
            };
            return format!("U{}", pos + 1);
        }
        self.templates.push(toks);
        format!("T{}", self.templates.len())
    }

    /// Text of a template id (learnt or provisional).
    pub fn text(&self, id: &str) -> Option<String> {
        let (list, n) = match id.split_at(1) {
            ("T", n) => (&self.templates, n),
            ("U", n) => (&self.extra, n),
            _ => return None,
        };
        let i: usize = n.parse().ok()?;
        list.get(i.checked_sub(1)?).map(|t| t.join(" "))
    }

    pub fn templates(&self) -> Vec<Template> {
        self.templates
            .iter()
            .enumerate()
            .map(|(i, t)| Template {
                id: format!("T{}", i + 1),
                text: t.join(" "),
            })
            .collect()
    }
}

fn tokens_of_template(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_differing_in_a_parameter_share_a_template() {
        let mut d = Drain::default();
        let a = d.template_of("Invalid version: foo");
        let b = d.template_of("Invalid version: barbaz");
        let c = d.template_of("usage: semver [options]");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(d.text(&a).unwrap(), "Invalid version: <*>");
    }

    #[test]
    fn numbers_are_masked_before_grouping() {
        let mut d = Drain::default();
        assert_eq!(d.template_of("1.2.3"), d.template_of("10.0.0-beta.1"));
    }

    #[test]
    fn a_frozen_drain_matches_but_does_not_learn() {
        let mut d = Drain::default();
        d.template_of("error: bad thing");
        let mut f = Drain::frozen(&d.templates());
        assert_eq!(f.template_of("error: bad other"), "T1");
        assert_eq!(f.template_of("completely new line here"), "U1");
        assert_eq!(f.templates().len(), 1);
    }
}
