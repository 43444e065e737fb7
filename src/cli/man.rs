//! `stackc man`: the man page, generated from the clap definitions so it
//! never drifts from `--help`.

pub fn run(cmd: clap::Command) -> u8 {
    let mut out = Vec::new();
    if clap_mangen::Man::new(cmd).render(&mut out).is_err() {
        return super::report::fail("cannot render the man page");
    }
    super::print(&String::from_utf8_lossy(&out));
    0
}
