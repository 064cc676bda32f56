//! Reading a fleet entry of the `profiles` setting, and the credentials it
//! names. Settings hold the names of environment variables, never secrets.

use serde_json::{Map, Value};

use super::{FleetError, FleetKind, FleetQuery, TimeRange};

/// Where the credentials of an entry come from. Every field names an
/// environment variable, but for values that are not secret (a user name,
/// a tenant or project id), which may be given as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Auth {
    /// `tokenEnv`: the variable holding a bearer token.
    pub token_env: Option<String>,
    /// `basicAuth`: Grafana Cloud's instance id and access token.
    pub basic: Option<BasicAuth>,
    /// `orgId` / `orgIdEnv`: Pyroscope's tenant, sent as `X-Scope-OrgID`.
    pub org_id: Option<EnvOrValue>,
    /// `projectId`: the Polar Signals Cloud project, sent as `projectID`.
    pub project_id: Option<String>,
}

/// HTTP basic auth: a user (a Grafana Cloud instance id) and the variable
/// that holds the password (an access token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicAuth {
    pub user: EnvOrValue,
    pub password_env: String,
}

/// A value given in the settings, or the name of the variable that holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvOrValue {
    Env(String),
    Value(String),
}

/// Keys that would put a secret in the settings, and the key to use.
const SECRET_KEYS: [(&str, &str); 5] =
    [("token", "tokenEnv"), ("bearerToken", "tokenEnv"), ("apiKey", "tokenEnv"), ("password", "basicAuth.passwordEnv"), ("secret", "tokenEnv")];

const COMMON_KEYS: [&str; 7] = ["query", "range", "from", "to", "tokenEnv", "refreshSeconds", "name"];
const PYROSCOPE_KEYS: [&str; 5] = ["pyroscope", "profileType", "basicAuth", "orgId", "orgIdEnv"];
const PARCA_KEYS: [&str; 3] = ["parca", "profileType", "projectId"];

pub(super) fn parse(v: &Value) -> Result<FleetQuery, String> {
    let obj = v.as_object().ok_or("a profiles entry for a continuous profiler must be an object")?;
    let kind = match (obj.contains_key("pyroscope"), obj.contains_key("parca")) {
        (true, false) => FleetKind::Pyroscope,
        (false, true) => FleetKind::Parca,
        (true, true) => return Err("a profiles entry names either \"pyroscope\" or \"parca\", not both".into()),
        (false, false) => return Err("a profiles entry for a continuous profiler needs \"pyroscope\" or \"parca\"".into()),
    };
    let what = kind.key();
    let specific: &[&str] = match kind {
        FleetKind::Pyroscope => &PYROSCOPE_KEYS,
        FleetKind::Parca => &PARCA_KEYS,
    };
    check_keys(obj, &[&COMMON_KEYS[..], specific].concat(), &format!("a {what} profiles entry"))?;

    let url = string(obj, what)?.ok_or_else(|| format!("\"{what}\" must be the server's URL"))?;
    let url = url.trim().trim_end_matches('/').to_string();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!("\"{what}\" must be an http:// or https:// URL, not {url:?}"));
    }
    let query = string(obj, "query")?;
    let profile_type = string(obj, "profileType")?;
    let (query, profile_type) = match kind {
        FleetKind::Pyroscope => (query.unwrap_or_else(|| "{}".into()), profile_type),
        // Parca's query starts with the type; `profileType` may give it
        // for a query that is only a selector.
        FleetKind::Parca => match (query, profile_type) {
            (Some(q), Some(t)) if q.trim_start().starts_with('{') => (format!("{t}{}", q.trim()), None),
            (Some(_), Some(_)) => return Err("\"profileType\" is already the start of the parca \"query\"; give it once".into()),
            (None, Some(t)) => (format!("{t}{{}}"), None),
            (Some(q), None) => (q, None),
            (None, None) => return Err("a parca profiles entry needs a \"query\" such as memory:inuse_space:bytes:space:bytes{job=\"checkout\"}".into()),
        },
    };
    let range = TimeRange::from_settings(obj.get("range"), obj.get("from"), obj.get("to"))?;
    let refresh_seconds = match obj.get("refreshSeconds") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().filter(|&n| n > 0).ok_or("\"refreshSeconds\" must be a positive whole number")?),
    };
    let auth = parse_auth(obj, kind)?;
    let name = string(obj, "name")?;
    Ok(FleetQuery { kind, url, query, profile_type, range, auth, refresh_seconds, name })
}

fn check_keys(obj: &Map<String, Value>, known: &[&str], what: &str) -> Result<(), String> {
    for key in obj.keys() {
        if let Some((_, instead)) = SECRET_KEYS.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
            return Err(format!(
                "\"{key}\" would put a secret in the settings; name the environment variable that holds it with \"{instead}\" instead"
            ));
        }
        if !known.contains(&key.as_str()) {
            return Err(format!("unknown key \"{key}\" in {what} (known keys: {})", known.join(", ")));
        }
    }
    Ok(())
}

fn string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(format!("\"{key}\" must be a non-empty string")),
    }
}

fn parse_auth(obj: &Map<String, Value>, kind: FleetKind) -> Result<Auth, String> {
    let token_env = string(obj, "tokenEnv")?;
    let basic = match obj.get("basicAuth") {
        None | Some(Value::Null) => None,
        Some(Value::Object(b)) => {
            check_keys(b, &["user", "userEnv", "passwordEnv"], "\"basicAuth\"")?;
            let user = match (string(b, "user")?, string(b, "userEnv")?) {
                (Some(u), None) => EnvOrValue::Value(u),
                (None, Some(e)) => EnvOrValue::Env(e),
                _ => return Err("\"basicAuth\" needs one of \"user\" and \"userEnv\"".into()),
            };
            let password_env = string(b, "passwordEnv")?.ok_or("\"basicAuth\" needs \"passwordEnv\", the environment variable that holds the password")?;
            Some(BasicAuth { user, password_env })
        }
        Some(_) => return Err("\"basicAuth\" must be an object such as {\"user\": \"123456\", \"passwordEnv\": \"GRAFANA_CLOUD_TOKEN\"}".into()),
    };
    if token_env.is_some() && basic.is_some() {
        return Err("give either \"tokenEnv\" or \"basicAuth\", not both".into());
    }
    let org_id = match (string(obj, "orgId")?, string(obj, "orgIdEnv")?) {
        (Some(_), Some(_)) => return Err("give either \"orgId\" or \"orgIdEnv\", not both".into()),
        (Some(v), None) => Some(EnvOrValue::Value(v)),
        (None, Some(e)) => Some(EnvOrValue::Env(e)),
        (None, None) => None,
    };
    let project_id = if kind == FleetKind::Parca { string(obj, "projectId")? } else { None };
    Ok(Auth { token_env, basic, org_id, project_id })
}

impl Auth {
    /// The headers every request carries, with the secrets looked up
    /// through `env` (the process environment, or a test's).
    pub(super) fn headers(&self, kind: FleetKind, env: impl Fn(&str) -> Option<String>) -> Result<Vec<(&'static str, String)>, FleetError> {
        let read = |var: &str, setting: &'static str| env(var).ok_or_else(|| FleetError::MissingCredential { var: var.to_string(), setting });
        let mut headers = Vec::new();
        if let Some(var) = &self.token_env {
            headers.push(("Authorization", format!("Bearer {}", read(var, "tokenEnv")?)));
        }
        if let Some(basic) = &self.basic {
            let user = match &basic.user {
                EnvOrValue::Value(u) => u.clone(),
                EnvOrValue::Env(var) => read(var, "basicAuth.userEnv")?,
            };
            let password = read(&basic.password_env, "basicAuth.passwordEnv")?;
            use base64::Engine as _;
            let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            headers.push(("Authorization", format!("Basic {encoded}")));
        }
        if kind == FleetKind::Pyroscope {
            match &self.org_id {
                Some(EnvOrValue::Value(v)) => headers.push(("X-Scope-OrgID", v.clone())),
                Some(EnvOrValue::Env(var)) => headers.push(("X-Scope-OrgID", read(var, "orgIdEnv")?)),
                None => {}
            }
        }
        if let (FleetKind::Parca, Some(id)) = (kind, &self.project_id) {
            headers.push(("projectID", id.clone()));
        }
        Ok(headers)
    }

    /// What to set after the server refused the request: 401 means the
    /// credentials are missing or wrong, 403 that they may not read this.
    pub(super) fn advice(&self, kind: FleetKind, forbidden: bool) -> String {
        let named: Vec<String> = [
            self.token_env.clone(),
            self.basic.as_ref().and_then(|b| match &b.user {
                EnvOrValue::Env(v) => Some(v.clone()),
                EnvOrValue::Value(_) => None,
            }),
            self.basic.as_ref().map(|b| b.password_env.clone()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let scope = match kind {
            FleetKind::Pyroscope => "tenant (\"orgId\")",
            FleetKind::Parca => "project (\"projectId\")",
        };
        match (named.is_empty(), forbidden) {
            (true, _) => {
                let how = match kind {
                    FleetKind::Pyroscope => "\"tokenEnv\" or \"basicAuth\"",
                    FleetKind::Parca => "\"tokenEnv\"",
                };
                format!("the server wants credentials; name the environment variable that holds them with {how} in the profiles entry")
            }
            (false, false) => format!("check the credentials in {}", named.join(" and ")),
            (false, true) => format!("the credentials in {} may not read this {scope}", named.join(" and ")),
        }
    }
}

/// The value of the equality matcher `name="value"` in a label selector,
/// if there is one.
pub(super) fn matcher_value(query: &str, name: &str) -> Option<String> {
    let selector = &query[query.find('{')? + 1..];
    let mut rest = selector;
    while !rest.is_empty() {
        let start = rest.trim_start_matches([' ', ',']);
        let (label, after) = start.split_at(start.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).unwrap_or(start.len()));
        let after = after.trim_start();
        let (op, after) = ["=~", "!=", "!~", "="].iter().find_map(|op| after.strip_prefix(op).map(|a| (*op, a.trim_start())))?;
        let (value, after) = quoted(after)?;
        if label == name && op == "=" {
            return Some(value);
        }
        rest = after;
        if rest.trim_start().starts_with('}') {
            break;
        }
    }
    None
}

/// A double-quoted string (with backslash escapes) at the start of `s`,
/// and what follows it.
fn quoted(s: &str) -> Option<(String, &str)> {
    let mut chars = s.strip_prefix('"')?.char_indices();
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '"' => return Some((out, &s[i + 2..])),
            c => out.push(c),
        }
    }
    None
}
