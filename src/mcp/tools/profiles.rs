//! `profiles`: the profiles on offer, with their sample types (once
//! loaded), which one is the default, and whether each is live.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::source::load::ProfileSource;

use super::super::context::Context;
use super::super::output::{omitted_line, Output, Rows};
use super::super::ToolError;

pub const DESCRIPTION: &str = "The Go profiles this server offers (from --profile, pprof-lsp.toml's `profiles`, or \
found in the workspace): each one's name and source, its sample types, whether it is the default that other tools \
use without `profile`, and whether it is live (a URL, fetched again after refreshSeconds).";

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Args {
    /// Ignored: every profile is listed.
    #[allow(dead_code)] // Every tool accepts it.
    pub profile: Option<String>,
    /// Ignored.
    #[allow(dead_code)] // Every tool accepts it.
    pub sample_type: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// What the `profile` argument of the other tools may say.
    pub name: String,
    /// The file (absolute) or URL.
    pub source: String,
    pub default: bool,
    /// A URL: read again when older than refreshSeconds.
    pub live: bool,
    /// The sample types, the default first; empty when it cannot be read.
    pub sample_types: Vec<SampleTypeEntry>,
    /// Why it cannot be read, if it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SampleTypeEntry {
    pub name: String,
    pub unit: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profiles {
    pub workspace: Vec<String>,
    pub profiles: Vec<Entry>,
    pub omitted_rows: usize,
}

impl Output for Profiles {
    fn text(&self) -> String {
        let mut out = String::new();
        for p in &self.profiles {
            let types: Vec<&str> = p.sample_types.iter().map(|t| t.name.as_str()).collect();
            let marks = [(p.default, "default"), (p.live, "live")].iter().filter(|(on, _)| *on).map(|(_, w)| *w).collect::<Vec<_>>();
            out.push_str(&format!("{} ({}){}: {}\n", p.name, p.source, if marks.is_empty() { String::new() } else { format!(" [{}]", marks.join(", ")) }, match &p.error {
                Some(e) => e.clone(),
                None => types.join(", "),
            }));
        }
        if self.profiles.is_empty() {
            out.push_str("no profiles: start the server with --profile, or list them in pprof-lsp.toml\n");
        }
        out + &omitted_line(self.omitted_rows)
    }

    fn rows(&mut self) -> (&mut dyn Rows, &mut usize) {
        (&mut self.profiles, &mut self.omitted_rows)
    }
}

pub fn run(context: &Context, _: Args) -> Result<Profiles, ToolError> {
    let profiles = context
        .offers
        .iter()
        .enumerate()
        .map(|(i, offer)| {
            let live = matches!(offer.source, ProfileSource::Url(_));
            // Files are read to list their types; URLs only once loaded, so
            // listing never waits on the network.
            let loaded = if live { context.loaded_at(&offer.source).map(Ok) } else { Some(context.load(&offer.source)) };
            let (sample_types, error) = match loaded {
                Some(Ok(l)) => {
                    let mut types: Vec<SampleTypeEntry> =
                        l.profile.sample_types.iter().map(|t| SampleTypeEntry { name: t.name.clone(), unit: t.unit.clone() }).collect();
                    if let Ok(d) = crate::analysis::select(&l.profile, None) {
                        let default = types.remove(d.0);
                        types.insert(0, default);
                    }
                    (types, None)
                }
                Some(Err(e)) => (Vec::new(), Some(e.0)),
                None => (Vec::new(), None),
            };
            Entry { name: offer.name.clone(), source: offer.source.to_string(), default: i == 0, live, sample_types, error }
        })
        .collect();
    Ok(Profiles { workspace: context.roots.iter().map(|r| r.display().to_string()).collect(), profiles, omitted_rows: 0 })
}
