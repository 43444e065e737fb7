//! Emitter: the deployable config bundle of BUNDLE.md. Built in the bundle
//! issue.
