//! Emitter: diagrams of a checked stack (Mermaid, SVG with stackc's own
//! layered layout, DOT). Built in the diagrams issue.
