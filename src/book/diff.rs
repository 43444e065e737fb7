//! `{{#stackc diff OLD NEW [format=markdown|human|json]}}`: what `stackc
//! diff` says of a change between two files of the book. `markdown` (the
//! default) is the pull-request comment itself, put in the page as it
//! would read on GitHub (its Mermaid block stays a `mermaid` code block,
//! which GitHub draws); `human` and `json` are the reports in a fence.

use super::markdown::{fence, guard_links};
use crate::diff::{diff_sides, Side};
use crate::report::diff::{human, json, markdown, Input};

pub(super) fn block(
    old_shown: &str,
    old_src: &str,
    new_shown: &str,
    new_src: &str,
    format: &str,
    links_after: bool,
) -> Result<String, String> {
    let (old, new) = (
        Side {
            name: old_shown,
            source: old_src,
        },
        Side {
            name: new_shown,
            source: new_src,
        },
    );
    let (_, checked, d) = diff_sides(old, new);
    let input = Input {
        old,
        new,
        new_checked: &checked,
        diff: &d,
    };
    Ok(match format {
        "human" => fence("text", &guard_links(&human(&input), links_after)?),
        "json" => fence("json", &guard_links(&json(&input), links_after)?),
        _ => guard_links(&markdown(&input), links_after)?,
    })
}
