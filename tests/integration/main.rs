//! The integration tests: one binary, one small harness.

mod harness;

mod activator;
mod bad_input;
mod cli;
mod concurrency;
mod corpus;
mod crash;
mod detector;
mod hook_input;
mod install;
mod redaction;
mod roundtrip;
