"""The HTML report: flagged pairs ranked, their matching code side by side, and what was left out.

One self-contained file (inline CSS, no scripts, nothing fetched), rendered with Jinja2.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from importlib import resources

import copydetect
import jinja2
import numpy as np
from copydetect import compare_files
from markupsafe import Markup, escape

from autograder.similarity.collect import WHOLE_FILE, Collection
from autograder.similarity.fingerprints import highlighted
from autograder.similarity.groups import groups
from autograder.similarity.scores import Pair, Scores
from autograder.similarity.settings import MIN_OWN, NOISE

REFERENCE_CONTEXT = 6  # lines of a reference shown around its matches


@dataclass
class CellView:
    grade_id: str
    left: Markup
    right: Markup
    share_left: float
    share_right: float | None


def render(assignment_id: str, collection: Collection, scores: Scores, flagged: list[Pair],
           threshold: float, max_pairs: int) -> str:
    learner_pairs = [p for p in flagged if not p.reference]
    reference_pairs = [p for p in flagged if p.reference]
    return _template().render(
        assignment=assignment_id, threshold=threshold, noise=NOISE, min_own=MIN_OWN,
        version=copydetect.__version__, generated=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        collection=collection, learner_pairs=learner_pairs, reference_pairs=reference_pairs,
        shown=[(p, _cells(p, collection)) for p in learner_pairs[:max_pairs]],
        shown_references=[(p, _cells(p, collection)) for p in reference_pairs[:max_pairs]],
        max_pairs=max_pairs, groups=[g for g in groups([(p.a.name, p.b.name) for p in learner_pairs])],
        histogram=histogram(scores),
    )


def histogram(scores: Scores) -> list[tuple[str, int, float]]:
    """(score range, learner pairs, bar width in %) in tenths; pairs sharing nothing count as 0."""
    n = len(scores.learners)
    counts = np.zeros(10, dtype=np.int64)
    score = scores.learner_pairs()[2]
    np.add.at(counts, np.minimum((score * 10).astype(int), 9), 1)
    counts[0] += n * (n - 1) // 2 - len(score)
    top = max(int(counts.max()), 1)
    return [(f"{i / 10:.1f}–{(i + 1) / 10:.1f}", int(c), 100 * c / top) for i, c in enumerate(counts)]


def _cells(pair: Pair, collection: Collection) -> list[CellView]:
    """The pair's cells in notebook order; a reference beside each cell the learner wrote."""
    views = []
    for grade_id in collection.starter:
        left = pair.a.cells.get(grade_id)
        right = pair.b.cells.get(WHOLE_FILE if pair.reference else grade_id)
        if left and right:
            views.append(_compared(grade_id, left, right, pair.reference))
        elif (left or right) and not pair.reference:
            views.append(_one_sided(grade_id, left, right))
    return views


def _compared(grade_id: str, left, right, reference: bool) -> CellView:
    _, (share_left, share_right), _ = compare_files(left.fingerprint, right.fingerprint)
    context = REFERENCE_CONTEXT if reference else -1
    a, b = highlighted(left.fingerprint, right.fingerprint, left.source, right.source, context)
    return CellView(grade_id, Markup(a), Markup(b), float(share_left), None if reference else float(share_right))


def _one_sided(grade_id: str, left, right) -> CellView:
    missing = Markup("<em>(too little code of their own in this cell to compare)</em>")
    shown = escape((left or right).source)
    return CellView(grade_id, shown if left else missing, missing if left else shown, 0.0, None)


def _template() -> jinja2.Template:
    text = resources.files("autograder.similarity").joinpath("templates/report.html").read_text("utf-8")
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(text)
