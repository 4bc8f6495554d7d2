//! Services → this repository: which incidents, SLOs and alert rules belong to
//! the assessed repository, and to which of its parts.
//!
//! Incident tools, SLO files and alert labels name *services*, not
//! repositories. `[services]` in `friction.toml` maps a service name (or the
//! source's service id) to this repository as a whole (`["."]`), to
//! components (a `[components]` name) or to path patterns (`["src/api/"]`).
//! A service it does not name is matched by name as a labelled default: the
//! service's normalised name equals the repository's or a component's
//! (`Checkout API` ≈ `checkout-api`). Everything else is unmapped, counted
//! and reported, never guessed. The incident signals and the SLO signals
//! read services through this one type.

use std::collections::BTreeMap;

/// How a service came to be this repository's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MappedBy {
    /// `[services]` names it.
    Configured,
    /// Its name matches the repository's or a component's (the default).
    Name,
}

impl MappedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            MappedBy::Configured => "configured",
            MappedBy::Name => "name match (default)",
        }
    }
}

/// The part of the repository a service stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServicePart {
    /// The whole repository.
    Repository,
    /// A component of `[components]` (or a top-level directory) by name.
    Component(String),
    /// Path patterns (`friction_model::paths` semantics).
    Paths(Vec<String>),
}

/// Where a service maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceMatch {
    pub by: MappedBy,
    /// The parts it stands for (one or more); the repository as a whole
    /// when `[services]` gives `"."`.
    pub parts: Vec<ServicePart>,
}

/// `[services]` with the names the default matching compares against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceMap {
    /// Normalised service name → what it maps to.
    configured: BTreeMap<String, Vec<ServicePart>>,
    /// Normalised repository names (the directory, the scope's name).
    repository: Vec<String>,
    /// Normalised component name → component name.
    components: BTreeMap<String, String>,
}

/// A name as the default matching compares it: lower case, letters and
/// digits only (`Checkout API` ≈ `checkout-api` ≈ `checkout_api`).
pub fn normalise(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl ServiceMap {
    /// From `[services]` (service → `"."`, component names or path
    /// patterns), the repository's names (its directory, its scope
    /// `github:owner/name`) and its component names.
    pub fn new(
        configured: &BTreeMap<String, Vec<String>>,
        repository_names: &[&str],
        components: &[&str],
    ) -> ServiceMap {
        let components: BTreeMap<String, String> = components
            .iter()
            .map(|c| (normalise(c), (*c).to_owned()))
            .filter(|(n, _)| !n.is_empty())
            .collect();
        let configured = configured
            .iter()
            .map(|(service, targets)| {
                let mut parts: Vec<ServicePart> = Vec::new();
                let mut paths = Vec::new();
                for t in targets {
                    let t = t.trim();
                    if t == "." || t.is_empty() {
                        parts.push(ServicePart::Repository);
                    } else if components.values().any(|c| c == t) {
                        parts.push(ServicePart::Component(t.to_owned()));
                    } else {
                        paths.push(t.to_owned());
                    }
                }
                if !paths.is_empty() {
                    parts.push(ServicePart::Paths(paths));
                }
                if parts.is_empty() || parts.contains(&ServicePart::Repository) {
                    parts = vec![ServicePart::Repository];
                }
                (normalise(service), parts)
            })
            .collect();
        let repository = repository_names
            .iter()
            .map(|n| {
                let n = n.rsplit(['/', ':']).next().unwrap_or(n);
                normalise(n)
            })
            .filter(|n| !n.is_empty())
            .collect();
        ServiceMap {
            configured,
            repository,
            components,
        }
    }

    /// Whether `[services]` names any service.
    pub fn is_configured(&self) -> bool {
        !self.configured.is_empty()
    }

    /// Where the service named `name` (or with the source's id `id`) maps,
    /// or `None` when it is not this repository's.
    pub fn find(&self, name: &str, id: &str) -> Option<ServiceMatch> {
        for key in [name, id] {
            let k = normalise(key);
            if k.is_empty() {
                continue;
            }
            if let Some(parts) = self.configured.get(&k) {
                return Some(ServiceMatch {
                    by: MappedBy::Configured,
                    parts: parts.clone(),
                });
            }
        }
        let k = normalise(name);
        if k.is_empty() {
            return None;
        }
        if self.repository.contains(&k) {
            return Some(ServiceMatch {
                by: MappedBy::Name,
                parts: vec![ServicePart::Repository],
            });
        }
        self.components.get(&k).map(|c| ServiceMatch {
            by: MappedBy::Name,
            parts: vec![ServicePart::Component(c.clone())],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> ServiceMap {
        let mut configured = BTreeMap::new();
        configured.insert("Payments Worker".to_owned(), vec!["src/pay/".to_owned()]);
        configured.insert("PXYZ123".to_owned(), vec![".".to_owned()]);
        configured.insert("Edge".to_owned(), vec!["api".to_owned()]);
        ServiceMap::new(
            &configured,
            &["checkout-api", "github:acme/checkout-api"],
            &["api", "web"],
        )
    }

    #[test]
    fn configured_services_map_by_name_or_id_to_paths_components_or_the_repository() {
        let m = map();
        assert_eq!(
            m.find("payments-worker", ""),
            Some(ServiceMatch {
                by: MappedBy::Configured,
                parts: vec![ServicePart::Paths(vec!["src/pay/".into()])]
            })
        );
        assert_eq!(
            m.find("Some Name", "PXYZ123").map(|s| s.parts),
            Some(vec![ServicePart::Repository])
        );
        assert_eq!(
            m.find("edge", "").map(|s| s.parts),
            Some(vec![ServicePart::Component("api".into())])
        );
    }

    #[test]
    fn unconfigured_services_match_the_repository_or_a_component_by_normalised_name() {
        let m = map();
        let by_name = m.find("Checkout API", "P1").unwrap();
        assert_eq!(by_name.by, MappedBy::Name);
        assert_eq!(by_name.parts, vec![ServicePart::Repository]);
        assert_eq!(
            m.find("WEB", "").map(|s| s.parts),
            Some(vec![ServicePart::Component("web".into())])
        );
        assert_eq!(m.find("billing", "P9"), None);
        assert_eq!(m.find("", ""), None);
    }
}
