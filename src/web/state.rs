//! The page's state as its URL's query string holds it, so a reload or a
//! shared URL shows the same view:
//!
//! | parameter | meaning |
//! |---|---|
//! | `view` | `flame` (the default), `top` or `source` |
//! | `si` | the sample type (pprof's `-sample_index`); absent: the host's |
//! | `focus`, `ignore`, `hide`, `show`, `show_from`, `tagfocus`, `tagignore` | pprof's filters (its short names `f`, `i`, `h`, `s`, `sf`, `tf`, `ti` are read too); none present: the host's filters, any present (even empty): these alone |
//! | `zoom` | the flame graph's zoomed frame: a JSON array of frame names from the root down |
//! | `search` | the flame graph's search pattern (used by the page only) |
//! | `lines` | `1`: the `top` table per line instead of per function |
//! | `sort` | `cum`: the `top` table by cum instead of flat |
//! | `file`, `line` | the source view's file (as the profile names it) and line |
//!
//! The page keeps `token` in its URL too; the server reads it in `guard`.

use std::collections::BTreeMap;

use crate::analysis::Filters;

/// What a request asks for, read from its query string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ViewState {
    pub(crate) sample_type: Option<String>,
    /// `None` when the URL sets no filter: the host's apply.
    pub(crate) filters: Option<Filters>,
    pub(crate) zoom: Vec<String>,
    pub(crate) lines: bool,
    pub(crate) by_cum: bool,
    pub(crate) file: Option<String>,
}

/// Filter parameters: pprof's long names (the ones the page writes), then
/// its short ones.
const FILTER_NAMES: &[(&str, &str)] = &[
    ("focus", "f"),
    ("ignore", "i"),
    ("hide", "h"),
    ("show", "s"),
    ("show_from", "sf"),
    ("tagfocus", "tf"),
    ("tagignore", "ti"),
];

impl ViewState {
    pub(crate) fn parse(query: &BTreeMap<String, String>) -> Result<ViewState, String> {
        let get = |name: &str| query.get(name).map(String::as_str);
        let nonempty = |name: &str| get(name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let any_filter = FILTER_NAMES.iter().any(|(long, short)| get(long).is_some() || get(short).is_some());
        let filters = any_filter.then(|| {
            let value = |(long, short): (&str, &str)| nonempty(long).or_else(|| nonempty(short));
            Filters {
                focus: value(FILTER_NAMES[0]),
                ignore: value(FILTER_NAMES[1]),
                hide: value(FILTER_NAMES[2]),
                show: value(FILTER_NAMES[3]),
                show_from: value(FILTER_NAMES[4]),
                tagfocus: value(FILTER_NAMES[5]),
                tagignore: value(FILTER_NAMES[6]),
            }
        });
        let zoom = match nonempty("zoom") {
            None => Vec::new(),
            Some(z) => serde_json::from_str::<Vec<String>>(&z)
                .map_err(|e| format!("zoom must be a JSON array of frame names: {e}"))?,
        };
        Ok(ViewState {
            sample_type: nonempty("si").or_else(|| nonempty("sample_index")),
            filters,
            zoom,
            lines: matches!(get("lines"), Some("1" | "true")),
            by_cum: get("sort") == Some("cum"),
            file: nonempty("file"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<ViewState, String> {
        let map = q
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        ViewState::parse(&map)
    }

    #[test]
    fn nothing_set_means_the_hosts_choices() {
        assert_eq!(parse("token=x").unwrap(), ViewState::default());
    }

    #[test]
    fn filters_take_long_and_short_names_and_empty_means_none() {
        let s = parse("si=alloc_space&focus=catalog&i=runtime&hide=&view=top").unwrap();
        assert_eq!(s.sample_type.as_deref(), Some("alloc_space"));
        let f = s.filters.unwrap();
        assert_eq!(f.focus.as_deref(), Some("catalog"));
        assert_eq!(f.ignore.as_deref(), Some("runtime"));
        assert_eq!(f.hide, None);
        // An empty parameter still says "these filters, not the host's".
        assert_eq!(parse("focus=").unwrap().filters, Some(Filters::default()));
    }

    #[test]
    fn zoom_is_a_json_path() {
        assert_eq!(parse(r#"zoom=["main.main","a;b c"]"#).unwrap().zoom, ["main.main", "a;b c"]);
        assert!(parse("zoom=main").unwrap_err().contains("JSON array"));
    }

    #[test]
    fn top_options() {
        let s = parse("lines=1&sort=cum").unwrap();
        assert!(s.lines && s.by_cum);
        let s = parse("lines=0&sort=flat").unwrap();
        assert!(!s.lines && !s.by_cum);
    }
}
