//! A Pyroscope querier built from the generated API types: it holds one
//! profile under `HEAP` (and nothing under `CPU`) and answers the calls the
//! client makes. The protocol tests (tests/fleet_clients.rs) serve it in
//! process; `examples/fleet_server.rs` serves it as a process of its own
//! for the real-editor tests.

use std::io::Read;

use pprof_lsp::source::fleet::api::pyroscope::{google::v1 as google, querier::v1 as querier, types::v1 as types};
use prost::Message;

use super::fleet::{Request, Response};

pub const HEAP: &str = "memory:inuse_space:bytes:space:bytes";
pub const CPU: &str = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

/// Label names and their values, as `LabelNames` and `LabelValues` list them.
pub type Labels = Vec<(&'static str, Vec<&'static str>)>;

/// The labels of three `checkout` replicas.
pub fn checkout_labels() -> Labels {
    vec![("service_name", vec!["checkout"]), ("pod", vec!["checkout-0", "checkout-1", "checkout-2"])]
}

/// [`checkout_labels`] and the labels that name the profiled revision.
pub fn checkout_labels_with_revision() -> Labels {
    let mut labels = checkout_labels();
    labels.push(("service_git_ref", vec!["4f1c2e9"]));
    labels.push(("service_repository", vec!["https://github.com/example/checkout"]));
    labels
}

/// A gzipped pprof file as Pyroscope's copy of the pprof message.
pub fn profile_message(gzipped: &[u8]) -> Result<google::Profile, String> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(gzipped).read_to_end(&mut plain).map_err(|e| format!("not gzip: {e}"))?;
    google::Profile::decode(&plain[..]).map_err(|e| format!("not a pprof profile: {e}"))
}

/// The querier's handler. `merge_profile` false makes it a server without
/// `SelectMergeProfile`, which clients then ask for stack traces in pprof
/// format instead. `LabelNames` also lists `__name__`, as Pyroscope does.
pub fn querier(profile: google::Profile, merge_profile: bool, labels: Labels) -> impl Fn(&Request) -> Response + Send + 'static {
    move |r: &Request| {
        let method = r.path.rsplit('/').next().unwrap_or("");
        match method {
            "SelectMergeProfile" if merge_profile => {
                let q: querier::SelectMergeProfileRequest = r.connect();
                Response::connect(&if q.profile_type_id == HEAP { profile.clone() } else { google::Profile::default() })
            }
            "SelectMergeStacktraces" => {
                let q: querier::SelectMergeStacktracesRequest = r.connect();
                let pprof = (q.format == querier::ProfileFormat::Pprof as i32 && q.profile_type_id == HEAP)
                    .then(|| querier::PprofProfile { profile: Some(profile.clone()) });
                Response::connect(&querier::SelectMergeStacktracesResponse { pprof, ..Default::default() })
            }
            "ProfileTypes" => Response::connect(&querier::ProfileTypesResponse {
                profile_types: [HEAP, CPU].iter().map(|id| types::ProfileType { id: id.to_string(), ..Default::default() }).collect(),
            }),
            "LabelNames" => Response::connect(&types::LabelNamesResponse {
                names: std::iter::once("__name__").chain(labels.iter().map(|(name, _)| *name)).map(String::from).collect(),
            }),
            "LabelValues" => {
                let q: types::LabelValuesRequest = r.connect();
                let values = labels.iter().find(|(name, _)| *name == q.name).map(|(_, values)| values.as_slice()).unwrap_or_default();
                Response::connect(&types::LabelValuesResponse { names: values.iter().map(|v| v.to_string()).collect() })
            }
            _ => Response::plain("404 Not Found", "404 page not found\n"),
        }
    }
}
