//! The YAML of a `clouds.yaml`, to [`Credentials`].

use std::path::{Path, PathBuf};

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::{Yaml, YamlLoader};

use super::credentials::{Credentials, Interface};
use super::error::CloudsError;
use crate::secret::Secret;

/// Deeper than any `clouds.yaml` nests (4 levels); a bound on the loader's
/// recursion.
const MOST_DEPTH: usize = 32;

pub(super) fn credentials(
    text: &str,
    path: &Path,
    cloud: &str,
) -> Result<Credentials, CloudsError> {
    let root = load(text, path)?;
    let clouds = &root["clouds"];
    let entry = &clouds[cloud];
    if entry.is_badvalue() {
        let known = match clouds.as_hash() {
            Some(hash) => hash
                .keys()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect(),
            None => Vec::new(),
        };
        return Err(CloudsError::NoCloud {
            path: path.to_path_buf(),
            cloud: cloud.to_string(),
            known,
        });
    }
    let keys = Keys { path, cloud, entry };
    let auth = &entry["auth"];
    Ok(Credentials {
        source: path.to_path_buf(),
        cloud: cloud.to_string(),
        auth_url: keys.required(auth, "auth.auth_url")?,
        username: keys.required(auth, "auth.username")?,
        password: Secret::new(keys.required(auth, "auth.password")?),
        project_name: keys.required(auth, "auth.project_name")?,
        user_domain_name: keys
            .optional(auth, "auth.user_domain_name")?
            .unwrap_or_else(|| "Default".into()),
        project_domain_name: keys
            .optional(auth, "auth.project_domain_name")?
            .unwrap_or_else(|| "Default".into()),
        region_name: keys.optional(entry, "region_name")?,
        interface: keys.interface()?,
        cacert: keys.optional(entry, "cacert")?.map(PathBuf::from),
        verify: keys.verify()?,
    })
}

/// The first document, once the events show no alias and no deep nesting.
fn load(text: &str, path: &Path) -> Result<Yaml, CloudsError> {
    let not_yaml = |why: String| CloudsError::NotYaml {
        path: path.to_path_buf(),
        why,
    };
    let refused = |line: usize, why: &'static str| CloudsError::Refused {
        path: path.to_path_buf(),
        line,
        why,
    };
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| not_yaml(e.to_string()))?;
        match event {
            Event::StreamEnd => break,
            Event::Alias(_) => {
                return Err(refused(
                    mark.line(),
                    "a YAML alias (clouds.yaml needs none)",
                ));
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MOST_DEPTH {
                    return Err(refused(mark.line(), "nested deeper than any clouds.yaml"));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let docs = YamlLoader::load_from_str(text).map_err(|e| not_yaml(e.to_string()))?;
    Ok(docs.into_iter().next().unwrap_or(Yaml::Null))
}

/// Reads the keys of one cloud, naming the file, the cloud and the key in
/// every error, and never a value.
struct Keys<'a> {
    path: &'a Path,
    cloud: &'a str,
    entry: &'a Yaml,
}

impl Keys<'_> {
    fn missing(&self, key: &'static str) -> CloudsError {
        CloudsError::MissingKey {
            path: self.path.to_path_buf(),
            cloud: self.cloud.to_string(),
            key,
        }
    }

    fn bad(&self, key: &'static str, why: impl Into<String>) -> CloudsError {
        CloudsError::BadValue {
            path: self.path.to_path_buf(),
            cloud: self.cloud.to_string(),
            key,
            why: why.into(),
        }
    }

    /// `key`'s last part in `map`, as text: a string, or a number or
    /// boolean as YAML wrote it (a password of digits is still a password).
    fn optional(&self, map: &Yaml, key: &'static str) -> Result<Option<String>, CloudsError> {
        let name = key.rsplit('.').next().unwrap_or(key);
        match &map[name] {
            Yaml::BadValue | Yaml::Null => Ok(None),
            Yaml::String(s) | Yaml::Real(s) => Ok(Some(s.clone())),
            Yaml::Integer(i) => Ok(Some(i.to_string())),
            Yaml::Boolean(b) => Ok(Some(b.to_string())),
            _ => Err(self.bad(key, "is not a single value")),
        }
    }

    fn required(&self, map: &Yaml, key: &'static str) -> Result<String, CloudsError> {
        match self.optional(map, key)? {
            Some(value) if !value.is_empty() => Ok(value),
            Some(_) => Err(self.bad(key, "is empty")),
            None => Err(self.missing(key)),
        }
    }

    fn interface(&self) -> Result<Interface, CloudsError> {
        let Some(text) = self.optional(self.entry, "interface")? else {
            return Ok(Interface::Public);
        };
        // The SDK also takes the old catalog's `publicURL`, `internalURL`.
        match text.trim_end_matches("URL") {
            "public" => Ok(Interface::Public),
            "internal" => Ok(Interface::Internal),
            "admin" => Ok(Interface::Admin),
            _ => Err(self.bad(
                "interface",
                format!("is {text:?}: one of public, internal, admin"),
            )),
        }
    }

    fn verify(&self) -> Result<bool, CloudsError> {
        match &self.entry["verify"] {
            Yaml::BadValue | Yaml::Null => Ok(true),
            Yaml::Boolean(b) => Ok(*b),
            Yaml::String(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "yes" => Ok(true),
                "false" | "no" => Ok(false),
                _ => Err(self.bad("verify", format!("is {s:?}: true or false"))),
            },
            _ => Err(self.bad("verify", "is not true or false")),
        }
    }
}
