"""copydetect fingerprints of code: normalised tokens, every k-gram, the starter as boilerplate.

copydetect (winnowing, Schleimer et al. 2003) tokenises with Pygments and replaces every
identifier with one letter and every string with another, dropping comments, docstrings'
text and layout: renaming and reformatting change nothing. The window is 1, so every
k-gram is kept: scores are exact and the same on every run (winnowing with a larger window
picks k-grams by Python's per-process hash, which would make them vary).
"""
from __future__ import annotations

import io

import numpy as np
from copydetect import CodeFingerprint, compare_files
from copydetect.utils import highlight_overlap
from markupsafe import escape

from autograder.similarity.settings import NOISE

WINDOW = 1  # keep every k-gram


def fingerprint(name: str, code: str, boilerplate: np.ndarray | None = None) -> CodeFingerprint:
    """The fingerprint of Python code; k-grams also found in `boilerplate` are dropped."""
    return CodeFingerprint(name, NOISE, WINDOW, boilerplate, language="python", fp=io.StringIO(code))


def boilerplate(sources: list[str]) -> np.ndarray:
    """Every k-gram hash of the starter's code (copydetect's boilerplate)."""
    hashes = [h for source in sources for h in fingerprint("starter", source).hashes]
    return np.unique(np.array(hashes, dtype=np.int64))


def own_size(fp: CodeFingerprint) -> int:
    """Normalised characters of the learner's own code that can match (copydetect's coverage)."""
    return int(fp.token_coverage)


def highlighted(fp_a: CodeFingerprint, fp_b: CodeFingerprint, source_a: str, source_b: str,
                context: int = -1) -> tuple[str, str]:
    """Both sources as escaped HTML with the shared code in <mark>: copydetect's own comparison."""
    _, _, (slices_a, slices_b) = compare_files(fp_a, fp_b)
    return (_mark(source_a, _trimmed(slices_a, fp_a.raw_code), -1),
            _mark(source_b, _trimmed(slices_b, fp_b.raw_code), context))


def _trimmed(slices, compared: str):
    """Slices without the blank (or blanked starter) text copydetect's mapping lets them reach into."""
    trimmed = np.array(slices, dtype=np.int64).reshape(2, -1)
    for column in range(trimmed.shape[1]):
        start, end = trimmed[:, column]
        while end > start and compared[end - 1].isspace():
            end -= 1
        while start < end and compared[start].isspace():
            start += 1
        trimmed[:, column] = start, end
    return trimmed


def _mark(source: str, slices, context: int) -> str:
    if np.size(slices) == 0:  # nothing shared: the start of the code, plainly
        lines = source.splitlines()
        return str(escape("\n".join(lines[:context] + ["..."] if 0 <= context < len(lines) else lines)))
    text, _ = highlight_overlap(source, slices, "<mark>", "</mark>", truncate=context, escape_html=True)
    return text
