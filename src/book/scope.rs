//! Several diagrams on one page: each SVG's ids and style rules made its own.

/// Prefixes an SVG's ids (`s{n}-`) and the references to them, and scopes
/// its style rules to the SVG (class `stackc-svg-{n}`).
pub fn scope_svg(svg: &str, n: usize) -> String {
    let prefix = format!("s{n}-");
    let class = format!("stackc-svg-{n}");
    // Ids and the references to them.
    let mut ids = Vec::new();
    for part in svg.split("id=\"").skip(1) {
        if let Some(end) = part.find('"') {
            ids.push(part[..end].to_string());
        }
    }
    let mut out = svg.to_string();
    for id in &ids {
        for (from, to) in [
            (format!("id=\"{id}\""), format!("id=\"{prefix}{id}\"")),
            (format!("url(#{id})"), format!("url(#{prefix}{id})")),
            (format!("href=\"#{id}\""), format!("href=\"#{prefix}{id}\"")),
        ] {
            out = out.replace(&from, &to);
        }
    }
    // Style rules apply to the whole page: scope each selector.
    if let (Some(a), Some(b)) = (out.find("<style>"), out.find("</style>")) {
        let css = &out[a + "<style>".len()..b];
        let mut scoped = String::new();
        for rule in css.split_inclusive('}') {
            match rule.split_once('{') {
                Some((selectors, body)) if !selectors.trim().is_empty() => {
                    let sel: Vec<String> = selectors
                        .split(',')
                        .map(|s| format!(".{class} {}", s.trim()))
                        .collect();
                    scoped.push_str(&sel.join(","));
                    scoped.push('{');
                    scoped.push_str(body);
                }
                _ => scoped.push_str(rule),
            }
        }
        out = format!("{}<style>{}{}", &out[..a], scoped, &out[b..]);
    }
    out.replacen("<svg ", &format!("<svg class=\"{class}\" "), 1)
}
