//! A reduced ordered binary decision diagram, for the exact availability.
