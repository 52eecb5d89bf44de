"""Pair scores: how much of each learner's own code the other learner (or a reference) also has.

score_a is the share of A's own normalised code (summed over A's graded cells) covered by
code that B has in the same cell; score_b the same for B. A learner pair's score is the
smaller of the two, so both learners' code must be mostly shared to be flagged. For a
reference only score_a counts: a published notebook holds much more than the graded cells.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.similarity.collect import WHOLE_FILE, Collection, Document
from autograder.similarity.screen import overlaps


@dataclass(frozen=True)
class Pair:
    a: Document
    b: Document
    score: float
    score_a: float
    score_b: float | None  # None for a reference
    reference: bool


@dataclass
class Scores:
    learners: list[Document]
    references: list[Document]
    own: np.ndarray  # (learners,) normalised characters of own code
    shared: np.ndarray  # (learners, learners): [a, b] characters of a's code also in b
    shared_ref: np.ndarray  # (learners, references)

    def share(self) -> np.ndarray:
        """[a, b]: score_a of the pair (a, b)."""
        return self.shared / self.own[:, None]

    def learner_pairs(self):
        """(a, b, score, score_a, score_b) arrays for every pair sharing code, best first."""
        share = self.share()
        a, b = np.triu_indices(len(self.learners), 1)
        score_a, score_b = share[a, b], share[b, a]
        keep = np.maximum(score_a, score_b) > 0
        a, b, score_a, score_b = a[keep], b[keep], score_a[keep], score_b[keep]
        score = np.minimum(score_a, score_b)
        order = np.lexsort((b, a, -np.maximum(score_a, score_b), -score))
        return a[order], b[order], score[order], score_a[order], score_b[order]

    def reference_pairs(self):
        """(learner, reference, score_a) arrays for every match with a reference, best first."""
        share = self.shared_ref / self.own[:, None]
        a, r = np.nonzero(share > 0)
        order = np.lexsort((r, a, -share[a, r]))
        return a[order], r[order], share[a, r][order]

    def flagged(self, threshold: float) -> list[Pair]:
        """Pairs at or above the threshold, learner pairs first, each group best first."""
        a, b, score, score_a, score_b = self.learner_pairs()
        hit = score >= threshold
        pairs = [Pair(self.learners[i], self.learners[j], s, sa, sb, False)
                 for i, j, s, sa, sb in zip(a[hit], b[hit], score[hit], score_a[hit], score_b[hit])]
        a, r, share = self.reference_pairs()
        hit = share >= threshold
        return pairs + [Pair(self.learners[i], self.references[j], s, s, None, True)
                        for i, j, s in zip(a[hit], r[hit], share[hit])]


def score(collection: Collection) -> Scores:
    learners, references = collection.learners, collection.references
    n = len(learners)
    own = np.zeros(n)
    shared = np.zeros((n, n), dtype=np.int64)
    shared_ref = np.zeros((n, len(references)), dtype=np.int64)
    for grade_id in collection.starter:
        cell_own, cell_shared, cell_ref = _cell_scores(grade_id, learners, references)
        own, shared, shared_ref = own + cell_own, shared + cell_shared, shared_ref + cell_ref
    return Scores(learners, references, own, shared, shared_ref)


def _cell_scores(grade_id: str, learners: list[Document], references: list[Document]):
    # Learners who wrote the same normalised code share one fingerprint: compared once.
    variants, which = _variants(grade_id, learners)
    columns = variants + [ref.cells[WHOLE_FILE].fingerprint for ref in references]
    found = np.zeros((len(variants) + 1, len(columns) + 1), dtype=np.int64)  # last row/column: no cell
    found[:-1, :-1] = overlaps(variants, columns)
    own = np.array([int(fp.token_coverage) for fp in variants] + [0])[which]
    rows = found[which]  # index -1 picks the empty row and column
    return own, rows[:, which], rows[:, len(variants):-1]


def _variants(grade_id: str, learners: list[Document]):
    """Distinct fingerprints of this cell, and each learner's index into them (-1: none)."""
    seen, variants, which = {}, [], []
    for learner in learners:
        cell = learner.cells.get(grade_id)
        if cell is None:
            which.append(-1)
            continue
        key = cell.fingerprint.filtered_code
        if key not in seen:
            seen[key] = len(variants)
            variants.append(cell.fingerprint)
        which.append(seen[key])
    return variants, np.array(which, dtype=np.int64)
