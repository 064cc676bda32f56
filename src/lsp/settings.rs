//! The settings' life cycle: read from `initializationOptions`, asked for
//! with `workspace/configuration`, and changed by
//! `workspace/didChangeConfiguration`. Reading never fails: a setting that
//! cannot be used keeps its default, is named in a message and in the
//! status, and the rest applies. A change does what it implies (rescan,
//! reload, new base, new filters, another sample type).

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::ls_types::{ConfigurationItem, MessageType};

use super::commands::{filters, sample_type};
use super::config::{self, Config, SettingError};
use super::failure::Failure;
use super::loader;
use super::project;
use super::scan;
use super::session::Handle;

/// Settings as read, with what could not be used.
pub struct Read {
    pub config: Config,
    pub errors: Vec<SettingError>,
}

/// Reads a settings object over the project file's; `None` for one that
/// says nothing (`null`, `{}`), which leaves the settings as they were.
pub fn read(roots: &[PathBuf], value: &Value) -> Option<Read> {
    if config::is_empty(value) {
        return None;
    }
    Some(with_project_file(roots, value))
}

/// The editor's settings over the project file's (`pprof-lsp.toml`), key
/// by key; the file's errors come first.
fn with_project_file(roots: &[PathBuf], value: &Value) -> Read {
    let (merged, mut errors) = project::with_project_file(roots, value);
    let (config, more) = Config::from_json(&merged);
    errors.extend(more);
    Read { config, errors }
}

/// Takes the settings of `initializationOptions` before anything runs.
/// Their errors are told once the client is ready ([`announce`]).
pub fn initial(handle: &Handle, options: Option<&Value>) {
    let roots = handle.snapshot().roots.clone();
    // The project file applies even when the client sends no settings.
    let read = with_project_file(&roots, options.unwrap_or(&Value::Null));
    handle.update(|s| {
        s.filters = Arc::new(read.config.filters.clone());
        s.config = Arc::new(read.config);
        s.settings_errors = read.errors.into();
    });
}

/// The `pprof` section through `workspace/configuration`, for clients
/// that have it.
pub async fn fetch(handle: &Handle) -> Option<Read> {
    if !handle.snapshot().caps.configuration {
        return None;
    }
    let items = vec![ConfigurationItem { scope_uri: None, section: Some("pprof".into()) }];
    let values = handle.client.configuration(items).await.ok()?;
    // An empty answer keeps what initializationOptions said.
    let roots = handle.snapshot().roots.clone();
    values.into_iter().next().as_ref().and_then(|v| read(&roots, v))
}

/// At start: the client's settings (if it answers), then the errors of
/// whichever settings are in force.
pub async fn start(handle: &Handle) {
    if let Some(read) = fetch(handle).await {
        handle.update(|s| {
            s.filters = Arc::new(read.config.filters.clone());
            s.config = Arc::new(read.config);
            s.settings_errors = read.errors.into();
        });
    }
    announce(handle).await;
}

/// Tells the user which settings could not be used, if any.
async fn announce(handle: &Handle) {
    let errors = handle.snapshot().settings_errors.clone();
    if errors.is_empty() {
        return;
    }
    let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let message = format!("pprof: some settings cannot be used and keep their defaults: {}", list.join("; "));
    handle.client.show_message(MessageType::WARNING, message).await;
}

/// `workspace/didChangeConfiguration`: the new settings, asked for or as
/// sent.
pub async fn changed(handle: &Handle, sent: &Value) {
    let roots = handle.snapshot().roots.clone();
    let Some(read) = fetch(handle).await.or_else(|| read(&roots, sent)) else { return };
    apply(handle, read).await;
}

/// Takes new settings and does what they imply.
pub async fn apply(handle: &Handle, read: Read) {
    let Read { config, errors } = read;
    let old = handle.snapshot();
    let errors_changed = *old.settings_errors != *errors;
    if *old.config == config && !errors_changed {
        return;
    }
    let old = old.config.clone();
    let mapping_changed =
        old.path_mappings != config.path_mappings || old.source_paths != config.source_paths || old.goroot != config.goroot
            // The revision decides how lines map, and renamed files too.
            || old.revision != config.revision
            || old.binary != config.binary;
    let profiles_changed = old.profiles != config.profiles || old.max_profile_bytes != config.max_profile_bytes;
    let sample_changed = old.sample_type != config.sample_type;
    let base_changed = old.diff_base != config.diff_base;
    let watch_changed = old.watch != config.watch;
    let display_changed = old.hints != config.hints || old.lenses != config.lenses;
    let filters_changed = old.filters != config.filters;
    handle.update(|s| {
        s.config = Arc::new(config.clone());
        s.settings_errors = errors.into();
        // What is drawn changes with the hint settings: a new
        // generation tells clients to redraw what they draw themselves.
        if display_changed {
            s.view = s.view.as_ref().map(|v| Arc::new(v.renewed()));
        }
    });
    if errors_changed {
        announce(handle).await;
    }
    tracing::info!(mapping_changed, profiles_changed, sample_changed, watch_changed, "settings changed");
    if watch_changed {
        if config.watch {
            loader::watch_shown(handle);
        } else {
            loader::unwatch(handle);
        }
    }
    if mapping_changed {
        scan::rescan(handle).await;
    }
    if base_changed {
        loader::apply_base_setting(handle).await;
    }
    if profiles_changed {
        scan::load_offered(handle).await;
    }
    if filters_changed {
        // The filters were checked when read; this only fails on a bug.
        if let Err(Failure::Invalid(e) | Failure::Internal(e)) = filters::set(handle, config.filters.clone()).await {
            handle.client.show_message(MessageType::ERROR, format!("pprof: {e}")).await;
        }
    }
    if sample_changed {
        if let Some(name) = &config.sample_type {
            if let Err(Failure::Invalid(e) | Failure::Internal(e)) = sample_type::select_named(handle, name) {
                handle.client.show_message(MessageType::WARNING, format!("pprof: {e}")).await;
            }
        }
    }
    handle.changed().await;
}
