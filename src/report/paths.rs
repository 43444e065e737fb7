//! File paths as the reports name them: lexically normalised (`.` and `..`
//! resolved without touching the file system), relative to the working
//! directory when the file lies under it, with forward slashes.

use std::path::{Component, Path, PathBuf};

/// `path` with `.` removed and `name/..` folded, lexically. Leading `..` of a
/// relative path stay; `..` at the root of an absolute path is dropped.
pub fn normalise(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    out.iter().collect()
}

/// Where a file given on the command line is, for a report: relative to
/// `base` (the working directory) when it lies under it, else as an
/// absolute path (a relative path that climbs out of `base` is made
/// absolute); normalised either way. `-` (standard input) stays `-`.
pub fn display_path(path: &str, base: Option<&Path>) -> PathBuf {
    if path == "-" {
        return PathBuf::from("-");
    }
    let p = Path::new(path);
    let Some(base) = base.map(normalise) else {
        return normalise(p);
    };
    let abs = if p.is_absolute() {
        normalise(p)
    } else {
        let rel = normalise(p);
        if !matches!(rel.components().next(), Some(Component::ParentDir)) {
            return rel;
        }
        normalise(&base.join(rel))
    };
    match abs.strip_prefix(&base) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => abs,
    }
}

/// A path with forward slashes between its components.
pub fn slashed(path: &Path) -> String {
    let mut out = String::new();
    for c in path.components() {
        match c {
            Component::RootDir => out.push('/'),
            c => {
                if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&c.as_os_str().to_string_lossy());
            }
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// Percent-encodes what a URI path cannot hold (RFC 3986: everything but
/// unreserved characters and `/`), byte by byte.
fn percent(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The SARIF `artifactLocation.uri` of a file: a relative reference for a
/// file under `base`, a `file://` URI otherwise.
pub fn uri(path: &str, base: Option<&Path>) -> String {
    let p = display_path(path, base);
    let s = slashed(&p);
    if p.is_absolute() {
        format!("file://{}", percent(&s))
    } else {
        percent(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_normalisation() {
        let n = |s: &str| slashed(&normalise(Path::new(s)));
        assert_eq!(n("samples/../samples/x.stack"), "samples/x.stack");
        assert_eq!(n("./a/./b/../c"), "a/c");
        assert_eq!(n("../a/b"), "../a/b");
        assert_eq!(n("/../a"), "/a");
        assert_eq!(n("a/.."), ".");
    }

    #[test]
    fn relative_to_the_working_directory() {
        let base = Some(Path::new("/work/repo"));
        let d = |s: &str| slashed(&display_path(s, base));
        assert_eq!(d("/work/repo/samples/x.stack"), "samples/x.stack");
        assert_eq!(
            d("/work/repo/samples/../samples/x.stack"),
            "samples/x.stack"
        );
        assert_eq!(d("samples/../samples/x.stack"), "samples/x.stack");
        assert_eq!(d("../repo/x.stack"), "x.stack");
        assert_eq!(d("../other/x.stack"), "/work/other/x.stack");
        assert_eq!(d("/elsewhere/x.stack"), "/elsewhere/x.stack");
        assert_eq!(d("-"), "-");
    }

    #[test]
    fn uris() {
        let base = Some(Path::new("/work/repo"));
        assert_eq!(uri("samples/../samples/x.stack", base), "samples/x.stack");
        assert_eq!(uri("my dir/x#1.stack", base), "my%20dir/x%231.stack");
        assert_eq!(uri("/tmp/é.stack", base), "file:///tmp/%C3%A9.stack");
    }
}
