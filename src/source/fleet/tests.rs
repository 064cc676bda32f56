//! Unit tests: reading settings entries, label matchers, time windows and
//! the status texts. The protocol itself is tested against in-process
//! servers in `tests/fleet_clients.rs`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::settings::matcher_value;
use super::*;

/// 2023-11-14T22:13:20Z.
const NOW_MS: i64 = 1_700_000_000_000;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(NOW_MS as u64)
}

/// Reads `entry`; `expect` is `Ok(status label)` or `Err(a part of the
/// message)`.
fn check(entry: serde_json::Value, expect: Result<&str, &str>) {
    let got = FleetQuery::from_json(&entry);
    match (got, expect) {
        (Ok(q), Ok(label)) => assert_eq!(q.status_label(), label, "{entry}"),
        (Err(e), Err(part)) => assert!(e.contains(part), "{entry}: {e:?} should contain {part:?}"),
        (got, expect) => panic!("{entry}: got {got:?}, expected {expect:?}"),
    }
}

#[test]
fn settings_entries() {
    let h = "https://pyroscope.example";
    check(json!({"pyroscope": h, "query": "{service_name=\"checkout\"}", "profileType": "memory:inuse_space:bytes:space:bytes", "range": "1h"}), Ok("pyroscope · checkout · inuse_space · last 1h"));
    check(json!({"pyroscope": h, "profileType": "process_cpu:cpu:nanoseconds:cpu:nanoseconds"}), Ok("pyroscope · cpu · last 1h"));
    check(json!({"pyroscope": h, "query": "{job=\"api\"}", "range": "1h30m"}), Ok("pyroscope · api · last 1h30m"));
    check(json!({"pyroscope": h, "from": "now-2d", "to": "now-1d"}), Ok("pyroscope · now-2d → now-1d"));
    check(json!({"pyroscope": h, "from": 1_699_995_600_000i64}), Ok("pyroscope · 2023-11-14 21:00 UTC → now"));
    check(json!({"pyroscope": h, "from": "2023-11-14T23:00:00+02:00", "to": "2023-11-14T21:30:15Z"}), Ok("pyroscope · 2023-11-14 21:00 UTC → 2023-11-14 21:30:15 UTC"));
    check(json!({"parca": "http://localhost:7070", "query": "memory:inuse_space:bytes:space:bytes{job=\"checkout\"}", "range": "15m"}), Ok("parca · checkout · inuse_space · last 15m"));
    check(json!({"parca": "http://localhost:7070", "profileType": "parca_agent:samples:count:cpu:nanoseconds:delta", "query": "{job=\"x\"}"}), Ok("parca · x · samples · last 1h"));

    check(json!({"pyroscope": h, "qeury": "{}"}), Err("unknown key \"qeury\" in a pyroscope profiles entry"));
    check(json!({"parca": h, "query": "a:b:c:d:e{}", "orgId": "1"}), Err("unknown key \"orgId\" in a parca profiles entry"));
    check(json!({"pyroscope": h, "token": "glc_xyz"}), Err("\"token\" would put a secret in the settings; name the environment variable that holds it with \"tokenEnv\" instead"));
    check(json!({"pyroscope": h, "basicAuth": {"user": "1", "password": "x"}}), Err("with \"basicAuth.passwordEnv\" instead"));
    check(json!({"pyroscope": h, "basicAuth": {"user": "1"}}), Err("\"basicAuth\" needs \"passwordEnv\""));
    check(json!({"pyroscope": h, "basicAuth": {"user": "1", "passwordEnv": "P"}, "tokenEnv": "T"}), Err("either \"tokenEnv\" or \"basicAuth\""));
    check(json!({"pyroscope": h, "parca": h}), Err("not both"));
    check(json!({"pyroscope": "pyroscope.example"}), Err("must be an http:// or https:// URL"));
    check(json!({"pyroscope": h, "range": "1h", "from": "now-1h"}), Err("either \"range\" or \"from\"/\"to\""));
    check(json!({"pyroscope": h, "range": "1x"}), Err("\"range\": \"1x\" is not a duration"));
    check(json!({"pyroscope": h, "range": "0m"}), Err("an empty window"));
    check(json!({"pyroscope": h, "from": "now-1h", "to": "now-2h"}), Err("\"from\" must be before \"to\""));
    check(json!({"pyroscope": h, "from": "2023-11-14 25:00"}), Err("is not RFC 3339"));
    check(json!({"pyroscope": h, "to": "now"}), Err("\"to\" needs a \"from\""));
    check(json!({"pyroscope": h, "refreshSeconds": 0}), Err("\"refreshSeconds\" must be a positive whole number"));
    check(json!({"parca": h}), Err("a parca profiles entry needs a \"query\""));
    check(json!({"parca": h, "query": "a:b:c:d:e{}", "profileType": "a:b:c:d:e"}), Err("give it once"));
}

#[test]
fn a_full_pyroscope_entry() {
    let entry = json!({
        "pyroscope": "https://profiles-prod-001.grafana.net/",
        "query": "{service_name=\"checkout\"}",
        "profileType": "memory:inuse_space:bytes:space:bytes",
        "range": "30m",
        "basicAuth": {"user": "123456", "passwordEnv": "GRAFANA_CLOUD_TOKEN"},
        "orgIdEnv": "PYROSCOPE_TENANT",
        "refreshSeconds": 60,
        "name": "checkout heap"
    });
    assert!(FleetQuery::is_fleet_entry(&entry));
    assert!(!FleetQuery::is_fleet_entry(&json!({"name": "x", "merge": []})));
    assert!(!FleetQuery::is_fleet_entry(&json!("heap.pb.gz")));
    let q = FleetQuery::from_json(&entry).unwrap();
    assert_eq!(
        q,
        FleetQuery {
            kind: FleetKind::Pyroscope,
            url: "https://profiles-prod-001.grafana.net".into(),
            query: "{service_name=\"checkout\"}".into(),
            profile_type: Some("memory:inuse_space:bytes:space:bytes".into()),
            range: TimeRange::Last(Duration::from_secs(1800)),
            auth: Auth {
                token_env: None,
                basic: Some(BasicAuth { user: EnvOrValue::Value("123456".into()), password_env: "GRAFANA_CLOUD_TOKEN".into() }),
                org_id: Some(EnvOrValue::Env("PYROSCOPE_TENANT".into())),
                project_id: None,
            },
            refresh_seconds: Some(60),
            name: Some("checkout heap".into()),
        }
    );
    assert_eq!(q.display_name(), "checkout heap");
    assert_eq!(q.range.window(now()), Window { start_ms: NOW_MS - 1_800_000, end_ms: NOW_MS });
}

#[test]
fn display_names() {
    let q = FleetQuery::from_json(&json!({"parca": "https://api.polarsignals.com", "query": "parca_agent:samples:count:cpu:nanoseconds:delta{job=\"api\"}", "projectId": "p"})).unwrap();
    assert_eq!(q.display_name(), "api samples (parca api.polarsignals.com)");
    let q = FleetQuery::from_json(&json!({"pyroscope": "http://localhost:4040/grafana/proxy"})).unwrap();
    assert_eq!(q.display_name(), "{} (pyroscope localhost:4040)");
}

#[test]
fn credentials_come_from_the_environment() {
    let env = |var: &str| (var != "UNSET").then(|| format!("<{var}>"));
    let parca = FleetQuery::from_json(&json!({"parca": "http://h", "query": "a:b:c:d:e{}", "tokenEnv": "PS_TOKEN", "projectId": "p1"})).unwrap();
    assert_eq!(parca.auth.headers(FleetKind::Parca, env).unwrap(), [("Authorization", "Bearer <PS_TOKEN>".to_string()), ("projectID", "p1".into())]);
    let pyro = FleetQuery::from_json(&json!({"pyroscope": "http://h", "orgId": "t1", "basicAuth": {"userEnv": "U", "passwordEnv": "UNSET"}})).unwrap();
    let e = pyro.auth.headers(FleetKind::Pyroscope, env).unwrap_err();
    assert_eq!(e.to_string(), "environment variable UNSET is not set (the profiles entry names it in \"basicAuth.passwordEnv\")");
}

#[test]
fn matchers() {
    let cases: [(&str, &str, Option<&str>); 7] = [
        ("{service_name=\"checkout\"}", "service_name", Some("checkout")),
        ("{ env=~\"prod.*\", service_name = \"a b\" }", "service_name", Some("a b")),
        ("memory:x:y:z:w{job=\"say \\\"hi\\\"\"}", "job", Some("say \"hi\"")),
        ("{service_name!=\"checkout\"}", "service_name", None),
        ("{service_name=~\"check.*\"}", "service_name", None),
        ("{}", "job", None),
        ("process_cpu:cpu:nanoseconds:cpu:nanoseconds", "job", None),
    ];
    for (query, name, want) in cases {
        assert_eq!(matcher_value(query, name).as_deref(), want, "{query} {name}");
    }
}

#[test]
fn unknown_type_messages() {
    let e = FleetError::UnknownProfileType { wanted: Some("a:b:c:d:e".into()), available: vec!["x:y:z:w:v".into()] };
    assert_eq!(e.to_string(), "unknown profile type \"a:b:c:d:e\"; the server has: x:y:z:w:v");
    let e = FleetError::UnknownProfileType { wanted: None, available: vec![] };
    assert_eq!(e.to_string(), "no profile type given (\"profileType\"); the server has no profiles of any type in that range");
    assert!(FleetError::Timeout { url: "u".into(), after: Duration::from_secs(1) }.is_timeout());
    assert!(!FleetError::Empty { query: "q".into(), range: "r".into() }.is_timeout());
}
