//! Draws `.stack` files to SVG and PNG (resvg) to look at them:
//! `cargo run --example render_png -- OUT_DIR samples/*.stack`.
//! `--dark` draws the dark theme.

use stackc::render::{self, Format, Theme};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let dark = args.iter().any(|a| a == "--dark");
    args.retain(|a| a != "--dark");
    let out = std::path::PathBuf::from(args.remove(0));
    std::fs::create_dir_all(&out).expect("output directory");
    let theme = if dark { Theme::Dark } else { Theme::Light };
    let mut opt = resvg::usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    for path in args {
        let src = std::fs::read_to_string(&path).expect("readable");
        let checked = stackc::check(&src);
        let Some(svg) = render::render(&checked, Format::Svg, theme) else {
            eprintln!("{path}: not sound, not drawn");
            continue;
        };
        let stem = std::path::Path::new(&path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let suffix = if dark { "-dark" } else { "" };
        std::fs::write(out.join(format!("{stem}{suffix}.svg")), &svg).unwrap();
        let tree = resvg::usvg::Tree::from_str(&svg, &opt).expect("valid SVG");
        let size = tree.size().to_int_size();
        let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::default(),
            &mut pixmap.as_mut(),
        );
        pixmap
            .save_png(out.join(format!("{stem}{suffix}.png")))
            .unwrap();
        println!("{stem}: {}x{}", size.width(), size.height());
    }
}
