//! Reader throughput on a 50 MB synthetic log, and `evolver list --json` on 100,000 entries.
//!
//! Goals (docs/performance.md): the reader at 200 MB/s or more; `list --json` under one second.

use std::process::Command;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use evolver::{Document, Entry};

/// A log of realistic entries in the shapes the wild uses: canonical ones, fenced output,
/// CJK text, bullet fields and templates in fences.
fn synthetic_log(target_bytes: usize) -> String {
    let mut text = String::from(
        "# Errors\n\nCommand failures and integration errors.\n\n```markdown\n## [ERR-YYYYMMDD-XXX] template\n```\n\n---\n",
    );
    let mut n = 0u32;
    while text.len() < target_bytes {
        n += 1;
        let day = 20260101 + (n / 1000) % 28;
        let entry = match n % 3 {
            0 => format!(
                "\n## [ERR-{day}-{n:03}] cargo_test\n\n**Logged**: 2026-01-01T00:00:00Z\n**Priority**: medium\n**Status**: pending\n**Area**: backend\n\n### Summary\n`cargo test` exited with code 101\n\n### Error\n```\nerror[E0308]: mismatched types\n  --> src/lib.rs:{n}:5\n   |\n## [not-a-header]\n```\n\n### Context\n- Command: cargo test\n- Agent: claude-code\n\n### Metadata\n- Source: error-detector\n- Pattern-Key: cmd.cargo.test.{n}\n- Recurrence-Count: {}\n\n---\n",
                n % 5 + 1
            ),
            1 => format!(
                "\n## [LRN-{day}-{n:03}] correction\n\n**Logged:** 2026-01-01T08:00:00+08:00\n- **Priority:** high\n**状态**：pending\n\n### Summary\n部署前先运行迁移脚本 {n}\n\n### Details\nThe deploy failed because the schema was old.\n\n### Metadata\n- Tags: deploy, db\n\n---\n"
            ),
            _ => format!(
                "\n### [FEAT-{day}-{n:03}] export\n\n**Logged**: 2026-01-01\n**Priority**: low\n**Status**: pending_review\n\n### Requested Capability\nExport lessons as JSON number {n}\n\n<!-- a note\nthat spans lines -->\n\n### Metadata\n- Frequency: 1 (optional)\n\n---\n"
            ),
        };
        text.push_str(&entry);
    }
    text
}

fn reader(c: &mut Criterion) {
    let text = synthetic_log(50 * 1024 * 1024);
    let mut group = c.benchmark_group("reader");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Bytes(text.len() as u64));
    // The copy of the input is made outside the measured time.
    let input = || text.clone().into_bytes();
    group.bench_function("split 50 MB into entries", |b| {
        b.iter_batched(
            input,
            |bytes| Document::parse(bytes).entries().len(),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("split and read every entry of 50 MB", |b| {
        b.iter_batched(
            input,
            |bytes| {
                let doc = Document::parse(bytes);
                let mut statuses = 0;
                for span in doc.entries() {
                    let e =
                        Entry::parse(std::str::from_utf8(doc.entry_bytes(span)).unwrap()).unwrap();
                    statuses += usize::from(e.status().is_some());
                    std::hint::black_box((
                        e.summary(),
                        e.pattern_key(),
                        e.meta_number("Recurrence-Count"),
                    ));
                }
                statuses
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn list_json(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let learnings = dir.path().join(".learnings");
    std::fs::create_dir(&learnings).unwrap();
    let mut text = synthetic_log(0);
    let mut n = 0;
    while n < 100_000 {
        n += 1;
        text.push_str(&format!(
            "\n## [ERR-20260101-{n:03}] npm_install\n\n**Logged**: 2026-01-01T00:00:00Z\n**Priority**: low\n**Status**: pending\n\n### Summary\n`npm install` exited with code 1\n\n### Metadata\n- Pattern-Key: cmd.npm.install.{n}\n- Recurrence-Count: 1\n\n---\n"
        ));
    }
    std::fs::write(learnings.join("ERRORS.md"), &text).unwrap();
    let mut group = c.benchmark_group("cli");
    group.sample_size(10);
    group.bench_function("evolver list --json, 100,000 entries", |b| {
        b.iter(|| {
            let out = Command::new(env!("CARGO_BIN_EXE_evolver"))
                .args(["list", "--json"])
                .env("EVOLVER_ROOT", dir.path())
                .output()
                .unwrap();
            assert!(out.status.success());
            out.stdout.len()
        })
    });
    group.finish();
}

criterion_group!(benches, reader, list_json);
criterion_main!(benches);
