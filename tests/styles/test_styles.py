"""Every variant of the style corpus gets the verdict it deserves, part by part (see corpus.py)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.checking.plugin import working_directory

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `styles` and `conftest` by name

from conftest import run_autograder  # noqa: E402
from styles.corpus import PASS, data_folder, namespace, submission, variants  # noqa: E402

ALL = variants()
DIRECT = [v for v in ALL if v.direct]
END_TO_END = [v for v in ALL if v.end_to_end]


def verdicts(check, variant) -> dict[str, str | None]:
    names = namespace(variant)
    with working_directory(data_folder(variant)):
        return {test: check(variant.assignment, test, names) for test in variant.expect}


def mismatches(expect: dict[str, str], got: dict[str, str | None]) -> list[str]:
    wrong = []
    for test, wanted in expect.items():
        message = got.get(test)
        if wanted == PASS and message:
            wrong.append(f"{test}: should pass, failed with: {message}")
        elif wanted != PASS and (not message or wanted not in message):
            wrong.append(f"{test}: should fail saying {wanted!r}, got: {message!r}")
    return wrong


@pytest.mark.slow  # builds and runs a few hundred models
@pytest.mark.parametrize("variant", DIRECT, ids=[v.id for v in DIRECT])
def test_variant_gets_its_verdict(check, variant):
    wrong = mismatches(variant.expect, verdicts(check, variant))
    assert not wrong, f"{variant.id} ({variant.why}):\n" + "\n".join(wrong)


@pytest.fixture(scope="module")
def graded_end_to_end(request, tmp_path_factory) -> dict[str, dict | str]:
    """Every selected end-to-end variant graded by `autograder grade --json`, two at a time."""
    from concurrent.futures import ThreadPoolExecutor

    selected = {item.callspec.params["variant"].id for item in request.session.items
                if item.originalname == "test_variant_graded_end_to_end"}
    folder = tmp_path_factory.mktemp("end-to-end")

    def grade(variant):
        path = folder / variant.id / f"{variant.assignment}.ipynb"
        path.parent.mkdir()
        nbformat.write(submission(variant), path)
        done = run_autograder("grade", str(path), "--json")
        return variant.id, json.loads(done.stdout) if done.returncode == 0 else done.stderr

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(grade, [v for v in END_TO_END if v.id in selected]))


@pytest.mark.slow
@pytest.mark.parametrize("variant", END_TO_END, ids=[v.id for v in END_TO_END])
def test_variant_graded_end_to_end(variant, graded_end_to_end):
    result = graded_end_to_end[variant.id]
    assert isinstance(result, dict), f"autograder grade failed: {result}"
    got = {test["grade_id"]: (None if test["passed"] else test["message"] or "failed") for test in result["tests"]}
    expect = {grade_id: variant.expect.get(grade_id, PASS) for grade_id in got}
    wrong = mismatches(expect, got)
    assert not wrong, f"{variant.id} ({variant.why}):\n" + "\n".join(wrong)


def test_the_corpus_covers_every_training_assignment():
    counts = {}
    for variant in ALL:
        counts[variant.assignment] = counts.get(variant.assignment, 0) + 1
    assert len(ALL) >= 80 and len(END_TO_END) >= 15, (len(ALL), len(END_TO_END))
    assert set(counts) == {"c1w1-housing-prices", "c1w2-mnist-callback", "c1w3-mnist-convolutions",
                           "c1w4-happy-or-sad", "c1w4-horse-or-human"}, counts
