"""One assignment: collect the cells, score every pair, write report.html and pairs.csv."""
from __future__ import annotations

from pathlib import Path

from autograder.similarity.collect import collect
from autograder.similarity.outputs import pairs_csv, write_atomically
from autograder.similarity.report import render
from autograder.similarity.scores import score

REPORT = "report.html"
CSV = "pairs.csv"


def run_assignment(root: Path, assignment_id: str, out: Path, reference_dir: Path | None,
                   threshold: float, max_pairs: int) -> str:
    """Write the outputs into `out`; return the summary lines to print."""
    collection = collect(root, assignment_id, reference_dir)
    scores = score(collection)
    flagged = scores.flagged(threshold)
    write_atomically(out / CSV, pairs_csv(scores))
    write_atomically(out / REPORT, render(assignment_id, collection, scores, flagged, threshold, max_pairs))
    return summary(assignment_id, collection, flagged, threshold) + f"\n  report: {out / REPORT}"


def summary(assignment_id: str, collection, flagged, threshold: float) -> str:
    learners = len(collection.learners) + len(collection.skipped)
    pairs = sum(not p.reference for p in flagged)
    line = f"{assignment_id}: {pairs} pair{'' if pairs == 1 else 's'} flagged among {learners} learners"
    line += f" (threshold {threshold:.2f})"
    if collection.references:
        matches = len(flagged) - pairs
        references = len(collection.references)
        line += f"; {matches} match{'' if matches == 1 else 'es'} with {references} reference{'' if references == 1 else 's'}"
    if collection.skipped:
        line += f"; {len(collection.skipped)} not compared (see the report)"
    return line
