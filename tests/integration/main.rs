//! The integration tests: one binary, one small harness.

mod harness;

mod activator;
mod audit;
mod bad_input;
mod cli;
mod completions;
mod concurrency;
mod corpus;
mod crash;
mod detector;
mod e2e;
mod e2e_openclaw;
mod e2e_plugin;
mod e2e_skills;
mod guard;
mod hook_input;
mod index;
mod install;
mod layout;
mod model_server;
mod openclaw;
mod pass;
mod plugin;
mod promote;
mod redaction;
mod relevance;
mod roundtrip;
mod sar;
mod skill_scan;
mod skill_use;
mod skills;
mod team;
mod terminal;
mod upkeep;
mod verify;
