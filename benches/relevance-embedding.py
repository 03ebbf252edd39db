#!/usr/bin/env python3
"""Measure a static embedding table against the labelled relevance set.

The activator ranks lessons by BM25 with stems and a concept table. This script asks what a
static embedding table would add: each entry and each prompt becomes the mean of its token
vectors, and a lesson's score is either the cosine alone or BM25 plus a weighted cosine.

It uses WordLlama (PyPI `wordllama`, MIT), whose wheel carries a 32,000-token, 256-dimension
table (16 MB) and its tokenizer, so nothing is downloaded at run time. Run it from the
repository root after `cargo build --release`:

    python3 -m venv /tmp/emb && /tmp/emb/bin/pip install wordllama==0.4.0.post1
    /tmp/emb/bin/python benches/relevance-embedding.py

It measures both labelled files, `prompts.tsv` and the held-out `holdout.tsv`.
docs/relevance.md has the numbers it printed and what was decided.
"""

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import wordllama
from wordllama import WordLlama

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "tests" / "relevance"
EVOLVER = ROOT / "target" / "release" / "evolver"
SHOWN = 3


def entries(folder):
    """(id, text) for every `## [ID]` block of a project's logs."""
    out = []
    for log in sorted(folder.glob("*.md")):
        blocks = re.split(r"(?m)^## \[", log.read_text(encoding="utf-8"))[1:]
        out.extend((block.split("]", 1)[0], block) for block in blocks)
    return out


def bm25(store, prompt):
    """The activator's own scores, from `evolver search --json`."""
    run = subprocess.run(
        [str(EVOLVER), "search", "--json", "--limit", "1000", prompt],
        cwd=store, capture_output=True, text=True, check=True,
    )
    return {lesson["id"]: lesson["score"] for lesson in json.loads(run.stdout)["lessons"]}


def main():
    if not EVOLVER.exists():
        sys.exit("build first: cargo build --release")
    table = WordLlama.load(disable_download=True, cache_dir=os.path.dirname(wordllama.__file__))
    for labelled in ("prompts.tsv", "holdout.tsv"):
        print(labelled)
        measure_set(table, labelled)


def measure_set(table, labelled):
    """Prints each method's numbers over one labelled file of the set."""
    with open(SET / labelled, encoding="utf-8") as f:
        prompts = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    counts = {kind: sum(p["kind"] == kind for p in prompts) for kind in ("tool", "paraphrase", "unrelated")}

    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        for project in sorted({p["project"] for p in prompts}):
            learnings = Path(tmp, project, ".learnings")
            learnings.mkdir(parents=True)
            for log in (SET / "logs" / project).glob("*.md"):
                (learnings / log.name).write_bytes(log.read_bytes())
        for p in prompts:
            found = entries(SET / "logs" / p["project"])
            vectors = np.nan_to_num(table.embed([text for _, text in found], norm=True))
            query = np.nan_to_num(table.embed([p["prompt"]], norm=True)[0])
            cosine = vectors @ query
            scores = bm25(Path(tmp, p["project"]), p["prompt"])
            cases.append((p, [(id_, scores.get(id_, 0.0), float(c)) for (id_, _), c in zip(found, cosine)]))

    def measure(weight, floor, threshold, cosine_only=False):
        right = {"tool": 0, "paraphrase": 0}
        quiet = 0
        by_language = {}
        for p, candidates in cases:
            if cosine_only:
                ranked = sorted(((c, id_) for id_, _, c in candidates), reverse=True)
            else:
                ranked = sorted(
                    ((b + weight * max(0.0, c - floor) * 10, id_) for id_, b, c in candidates),
                    reverse=True,
                )
            shown = [id_ for score, id_ in ranked[:SHOWN] if score >= threshold]
            if p["kind"] == "unrelated":
                quiet += not shown
                continue
            hit = any(id_ in p["expected"].split(",") for id_ in shown)
            right[p["kind"]] += hit
            if p["kind"] == "paraphrase":
                language = by_language.setdefault(p["project"][:2], [0, 0])
                language[0] += hit
                language[1] += 1
        return right["tool"], right["paraphrase"], quiet, by_language

    def line(label, result):
        tool, para, quiet, langs = result
        per = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(langs.items()))
        print(f"{label:<44} tool {tool}/{counts['tool']}  paraphrase {para}/{counts['paraphrase']} ({per})"
              f"  quiet {quiet}/{counts['unrelated']}")

    line("cosine alone, top three always shown", measure(0, 0, -1.0, cosine_only=True))
    for threshold in (2.0, 3.5, 5.0, 7.0, 9.0):
        line(f"BM25 alone (the activator), threshold {threshold}", measure(0, 0, threshold))
    for weight in (0.5, 1, 2, 4):
        for floor in (0.1, 0.2, 0.3):
            for threshold in (2.0, 3.5, 5.0, 7.0):
                line(f"BM25 + {weight}*10*(cos-{floor}), threshold {threshold}",
                     measure(weight, floor, threshold))


if __name__ == "__main__":
    main()
