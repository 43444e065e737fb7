//! The style sheet of the document.

use crate::render::theme::Palette;

/// The style sheet: one class per kind of text and box, so that each
/// element carries only its geometry.
pub(super) fn stylesheet(p: &Palette) -> String {
    format!(
        ".name{{font-size:13px;font-weight:bold;fill:{text}}}\
.sub{{font-size:11px;fill:{muted}}}\
.it{{font-size:11px;fill:{muted};font-style:italic;text-anchor:middle}}\
.box{{fill:{node};stroke:{ns};stroke-width:1.2}}\
.box-warn{{fill:{wf};stroke:{warn};stroke-width:2.5}}\
.box-empty{{fill:{node};stroke:{ns};stroke-width:1.2;stroke-dasharray:4 3}}\
.pill-warn{{fill:{warn}}}\
.pill-zone{{fill:{zone}}}\
.pill-zwarn{{fill:{wf};stroke:{warn};stroke-width:1}}\
.pt-warn{{font-size:9.5px;font-weight:bold;text-anchor:middle;fill:{wt}}}\
.pt-zone{{font-size:9.5px;font-weight:bold;text-anchor:middle;fill:{zt}}}\
.pt-zwarn{{font-size:9.5px;font-weight:bold;text-anchor:middle;fill:{warn}}}\
.group{{fill:{cl};stroke:{cs};stroke-width:1.2}}\
.gname{{font-size:12.5px;font-weight:bold;fill:{text};stroke:{cl};stroke-width:4;paint-order:stroke;stroke-linejoin:round}}\
.gsub{{font-size:11px;fill:{muted};stroke:{cl};stroke-width:4;paint-order:stroke;stroke-linejoin:round}}\
.edge{{fill:none;stroke:{edge};stroke-width:1.4}}\
.read{{fill:none;stroke:{edge};stroke-width:1.4;stroke-dasharray:5 3}}\
.edge-warn{{fill:none;stroke:{warn};stroke-width:2}}\
.lbl{{fill:{bg};stroke:{cs};stroke-width:0.8}}\
.lbl-warn{{fill:{bg};stroke:{warn};stroke-width:1}}\
.lt{{font-size:10.5px;fill:{muted};text-anchor:middle}}\
.lt-warn{{font-size:10.5px;fill:{warn};text-anchor:middle;font-weight:bold}}",
        text = p.text,
        muted = p.muted,
        node = p.node,
        ns = p.node_stroke,
        wf = p.warn_fill,
        warn = p.warn,
        wt = p.warn_text,
        zone = p.zone,
        zt = p.zone_text,
        cl = p.cluster,
        cs = p.cluster_stroke,
        edge = p.edge,
        bg = p.bg,
    )
}
