fn main() {
    let src = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let p = stackc::syntax::parse(&src);
    println!("{} statements, {} comments, accepts={}", p.file.statements.len(), p.file.comments.len(), stackc::syntax::grammar_accepts(&src));
    for e in &p.errors { println!("{:?} {}", e.span, e.message); if let Some(h)=&e.help {println!("   help: {h}")} }
}
