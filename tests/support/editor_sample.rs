//! The editor tests' sample: the scale-up sample, repaired, then broken as
//! the book's story goes, its header comment and `lb-02` deleted, so that
//! `lb-01` (and zone `a`) become single points of failure.

/// The text, and the 0-based (line, UTF-16 column) where `lb-01` is declared.
pub fn scale_up_without_lb_02() -> (String, usize, usize) {
    let src = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/scale-up.stack"),
    )
    .unwrap();
    let text: String = src
        .lines()
        .filter(|l| !l.starts_with('#') && !l.contains("lb-02"))
        .map(|l| format!("{l}\n"))
        .collect();
    let text = text.trim_start().to_string();
    let (line, column) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("server lb-01").map(|c| (i, c + "server ".len())))
        .expect("lb-01 is declared");
    (text, line, column)
}
