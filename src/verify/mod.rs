//! Verification and what it gates (SPEC 6): nothing becomes permanent without a PASS that
//! still holds.
//!
//! This folder owns the spec ([`spec`]), making its observations ([`observe`](mod@observe)), the verdict and
//! the content-addressed receipt ([`receipt`](mod@receipt)), the canonical JSON those hashes are taken over
//! ([`canonical`]), external verifiers' signed SAR receipts ([`sar`]), recording a spec and a
//! verdict in the entry (`evolver spec`, `evolver verify`: [`record`]), and promotion into
//! permanent memory and its exact rollback ([`promotion`]). It uses [`crate::store`] (the entry,
//! the lock, the audit chain), [`crate::format`] and [`crate::redact`]; nothing in the hooks or
//! the command line.

pub mod canonical;
pub mod observe;
pub mod promotion;
pub mod receipt;
pub mod record;
pub mod sar;
pub mod spec;

pub(crate) use observe::run_with_input;
pub use observe::{Observed, Source, observe};
pub use receipt::{RECEIPT_VERSION, Verdict, judge, receipt, receipt_id, receipt_path};
pub use spec::{Spec, spec_text};
