"""What every platform's files share: the learner's texts, size limits, and writing the files."""
from __future__ import annotations

import html
import json
from pathlib import Path

from autograder.feedback.report import hidden_source_in
from autograder.pipeline.course_folder import write_atomically
from autograder.results import SubmissionResult, TestResult

CUT = " … [cut: the full text was {} bytes]"


def summary(result: SubmissionResult) -> str:
    """One line: the score, and where the learner goes next."""
    failed = sum(not test.passed for test in result.tests)
    head = f"{result.assignment}: {result.score:g} / {result.max_score:g} points"
    if not failed:
        return f"{head}. Every part passed."
    parts = "part" if failed == 1 else "parts"
    return f"{head}. {failed} {parts} to fix: each one's message says what went wrong and how to fix it."


def text_report(result: SubmissionResult) -> str:
    """The summary, then one line per part with its message (`autograder grade`'s layout)."""
    lines = [summary(result)]
    for test in result.tests:
        lines.append(f"{'✓' if test.passed else '✗'} {test.grade_id}: {test.points:g} / {test.max_points:g}")
        lines += [f"    {line}" for line in message(test).splitlines()]
    return "\n".join(lines)


def message(test: TestResult) -> str:
    return scrub(test.message)


def scrub(text: str) -> str:
    """`text` without lines that quote hidden tests (the grader's messages never should; a slip
    here would reach every learner)."""
    if not hidden_source_in(text):
        return text
    return "\n".join(line for line in text.splitlines() if not hidden_source_in(line))


def truncate(text: str, max_bytes: int) -> str:
    """`text` cut to at most `max_bytes` of UTF-8, saying that it was cut."""
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    marker = CUT.format(len(data))
    return data[:max_bytes - len(marker.encode())].decode(errors="ignore") + marker


def fit_json(data, max_bytes: int, longest: int = 65536):
    """`data` with its long strings cut shorter and shorter until its JSON fits `max_bytes`."""
    while _size(data) > max_bytes and longest >= 64:
        data = _cap_strings(data, longest)
        longest //= 2
    return data


def _size(data) -> int:
    return len(json.dumps(data, ensure_ascii=False).encode())


def _cap_strings(data, longest: int):
    if isinstance(data, str):
        return truncate(data, longest)
    if isinstance(data, list):
        return [_cap_strings(item, longest) for item in data]
    if isinstance(data, dict):
        return {key: _cap_strings(value, longest) for key, value in data.items()}
    return data


def write_json(path: Path, data) -> None:
    write_atomically(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def problem_page(title: str, text: str) -> str:
    """A small self-contained page for a submission without a feedback report."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '</head>\n<body style="font-family: sans-serif; max-width: 50em; margin: 2em auto">\n'
            f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(text)}</p>\n</body></html>\n")
