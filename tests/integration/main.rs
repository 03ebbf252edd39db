//! The integration tests: one binary, one small harness.

mod harness;

mod bad_input;
mod cli;
mod concurrency;
mod corpus;
mod crash;
mod roundtrip;
mod detector;
mod activator;
mod hook_input;
