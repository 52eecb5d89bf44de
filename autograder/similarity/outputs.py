"""Files written whole or not at all: a temporary file beside the target, then os.replace."""
from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from autograder.similarity.scores import Scores

CSV_HEADER = ["learner_a", "learner_b", "score", "score_a", "score_b", "b_is_reference"]
BLOCK = 50_000  # rows formatted at a time: 2,000 learners make 2 million pairs


def write_atomically(path: Path, chunks: str | Iterable[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.writelines([chunks] if isinstance(chunks, str) else chunks)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def pairs_csv(scores: Scores) -> Iterator[str]:
    """CSV text, in chunks: every pair that shares code, best first (pairs left out score 0)."""
    yield _rows([CSV_HEADER])
    names = [learner.name for learner in scores.learners]
    a, b, score, score_a, score_b = scores.learner_pairs()
    for s in range(0, len(a), BLOCK):
        block = slice(s, s + BLOCK)
        yield _rows(zip([names[i] for i in a[block]], [names[j] for j in b[block]], _fixed(score[block]),
                        _fixed(score_a[block]), _fixed(score_b[block]), ["no"] * len(a[block])))
    a, r, share = scores.reference_pairs()
    yield _rows((names[i], scores.references[j].name, s, s, "", "yes") for i, j, s in zip(a, r, _fixed(share)))


def _rows(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _fixed(values) -> list[str]:
    return [f"{v:.3f}" for v in values.tolist()]
