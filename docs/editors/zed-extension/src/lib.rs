//! A Zed extension that registers the `pprof-lsp` language server for Go.
//!
//! Zed starts only the language servers an extension declares; this one
//! declares `pprof-lsp` (see extension.toml) and says how to run it:
//! `lsp.pprof-lsp.binary` from the settings if given, else `pprof-lsp`
//! found on the PATH of the worktree's shell. `initialization_options` and
//! `settings` (the `pprof` section) are passed through from the settings.

use zed_extension_api::{self as zed, settings::LspSettings, LanguageServerId, Result};

const SERVER: &str = "pprof-lsp";

struct PprofLsp;

impl zed::Extension for PprofLsp {
    fn new() -> Self {
        PprofLsp
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.binary);
        let configured_path = binary.as_ref().and_then(|b| b.path.clone());
        let command = match configured_path {
            Some(path) => path,
            None => worktree.which(SERVER).ok_or_else(|| {
                format!("{SERVER} is not on PATH; set lsp.{SERVER}.binary.path in the settings")
            })?,
        };
        let args = binary.as_ref().and_then(|b| b.arguments.clone()).unwrap_or_default();
        let mut env = worktree.shell_env();
        if let Some(extra) = binary.and_then(|b| b.env) {
            env.extend(extra);
        }
        Ok(zed::Command { command, args, env })
    }

    fn language_server_initialization_options(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.initialization_options))
    }

    fn language_server_workspace_configuration(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.settings))
    }
}

zed::register_extension!(PprofLsp);
