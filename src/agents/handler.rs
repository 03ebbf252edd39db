//! What we add to an agent's settings: handlers that run our two hook executables.

pub const ACTIVATOR: &str = "evolver-activator";
pub const DETECTOR: &str = "evolver-error-detector";

/// One handler we add: (event, matcher, executable).
pub(crate) type Handler = (&'static str, Option<&'static str>, &'static str);
