"""Scores on hand-written learner code: near-copies high, honest solutions lower, the starter nothing."""
from __future__ import annotations

import itertools

import nbformat
import pytest
from copydetect import compare_files

from autograder.similarity import cells as cell_code
from autograder.similarity.collect import collect
from autograder.similarity.scores import score
from autograder.similarity.settings import DEFAULT_THRESHOLD
from autograder.similarity.screen import overlaps
from similarity_variants import (class_of_variants, learner_notebook, make_course, original_of, starter,
                                 submit, variants)

WEEKS = ["c1w2-mnist-callback", "c1w3-mnist-convolutions"]


@pytest.fixture(scope="module", params=WEEKS)
def week(request, tmp_path_factory):
    """(assignment, learner -> learner, score) for a class made of every hand-written variant."""
    assignment = request.param
    root = make_course(tmp_path_factory.mktemp(assignment), [assignment])
    class_of_variants(root, assignment)
    scores = score(collect(root, assignment))
    names = [learner.name for learner in scores.learners]
    share = scores.share()

    def pair_score(a, b):
        i, j = names.index(a), names.index(b)
        return min(share[i, j], share[j, i])

    return assignment, pair_score


def test_near_copies_score_at_least_the_threshold(week):
    assignment, pair_score = week
    low = {copy: round(pair_score(copy, original_of(copy)), 2) for copy in variants(assignment, "copies")}
    assert min(low.values()) >= DEFAULT_THRESHOLD, low


def test_independent_solutions_score_clearly_lower(week):
    assignment, pair_score = week
    honest = {(a, b): pair_score(a, b) for a, b in itertools.combinations(variants(assignment, "independent"), 2)}
    copies = [pair_score(c, original_of(c)) for c in variants(assignment, "copies")]
    assert max(honest.values()) < DEFAULT_THRESHOLD, max(honest.items(), key=lambda kv: kv[1])
    # Measured: week 2 at most 0.65 against at least 0.84; week 3 0.45 against 0.85.
    assert max(honest.values()) <= min(copies) - 0.15


def test_renaming_reformatting_and_comments_change_nothing(week):
    assignment, pair_score = week
    if assignment == "c1w2-mnist-callback":  # only names and layout differ
        assert pair_score("chen", "chen--renamed-reformatted") == 1.0
    assert pair_score("ana", "ana--comments") > 0.95  # comments, docstrings, quotes and line breaks


def test_bulk_screen_equals_copydetect_compare_files(tmp_path):
    assignment = "c1w2-mnist-callback"
    class_of_variants(make_course(tmp_path, [assignment]), assignment)
    learners = collect(tmp_path, assignment).learners
    for grade_id in ("create_and_compile_model", "EarlyStoppingCallback"):
        fps = [learner.cells[grade_id].fingerprint for learner in learners if grade_id in learner.cells]
        bulk = overlaps(fps, fps)
        for i, j in itertools.product(range(len(fps)), repeat=2):
            _, (share, _), _ = compare_files(fps[i], fps[j])
            assert bulk[i, j] == round(share * fps[i].token_coverage), (grade_id, i, j)


def scaffold_only(assignment: str, extra: str = "") -> dict[str, str]:
    """Every graded cell as the starter has it, `raise NotImplementedError()` deleted, plus `extra`."""
    cells = cell_code.solution_cells(starter(assignment))
    return {g: s.replace("raise NotImplementedError()", extra) for g, s in cells.items()}


@pytest.mark.parametrize("kind", ["blank starter", "scaffolding only", "scaffolding and pass"])
def test_the_starter_alone_never_creates_a_match(tmp_path, kind):
    assignment = "c1w2-mnist-callback"
    make_course(tmp_path, [assignment])
    for learner in ("lee", "kim"):
        notebook = {"blank starter": lambda: starter(assignment),
                    "scaffolding only": lambda: learner_notebook(assignment, scaffold_only(assignment)),
                    "scaffolding and pass": lambda: learner_notebook(assignment, scaffold_only(assignment, "pass")),
                    }[kind]()
        submit(tmp_path, learner, assignment, notebook)
    collection = collect(tmp_path, assignment)
    assert collection.learners == []
    assert [s.name for s in collection.skipped] == ["kim", "lee"]
    assert all("scaffolding" in s.reason for s in collection.skipped)


def test_the_starters_lines_change_no_score(tmp_path):
    """The same code with and without the starter's lines around it scores the same (Artemis #7174)."""
    assignment = "c1w2-mnist-callback"
    make_course(tmp_path, [assignment])
    scaffold = cell_code.solution_cells(starter(assignment))
    for name, cells in variants(assignment, "independent").items():
        bare = {g: _without_lines_of(source, scaffold[g]) for g, source in cells.items()}
        submit(tmp_path, name, assignment, learner_notebook(assignment, cells))
        submit(tmp_path, f"{name}-bare", assignment, learner_notebook(assignment, bare))
    scores = score(collect(tmp_path, assignment))
    names = [learner.name for learner in scores.learners]
    share = scores.share()
    for a, b in itertools.combinations(variants(assignment, "independent"), 2):
        with_starter = share[names.index(a), names.index(b)]
        assert with_starter == pytest.approx(share[names.index(f"{a}-bare"), names.index(f"{b}-bare")])
    assert share[names.index("ana"), names.index("ana-bare")] == 1.0


def _without_lines_of(source: str, scaffold: str) -> str:
    kept = {line.strip() for line in scaffold.splitlines()}
    return "\n".join(line for line in source.splitlines() if line.strip() not in kept)


def test_short_quiz_answers_are_not_compared(tmp_path):
    assignment = "c1w1-quiz"
    make_course(tmp_path, [assignment])
    answers = {f"q{n}_answer": f'# Question {n}\nq{n}_answer = "C"' for n in range(1, 9)}
    for learner in ("ann", "bob", "cat"):
        submit(tmp_path, learner, assignment, learner_notebook(assignment, answers))
    collection = collect(tmp_path, assignment)
    assert collection.learners == [] and len(collection.skipped) == 3
    assert "too short" in collection.skipped[0].reason


def test_blanking_keeps_length_and_line_breaks():
    source = 'def f():\n    """Doc."""\n    # YOUR CODE HERE\n    x = 1\n    return x\n'
    blanked = cell_code.blank_starter_lines(source, 'def f():\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError()\n    return x')
    assert len(blanked) == len(source) and blanked.count("\n") == source.count("\n")
    assert blanked.split("\n")[3] == "    x = 1" and blanked.split("\n")[0].strip() == ""


def test_a_notebook_with_no_graded_cells_is_reported(tmp_path):
    assignment = "c1w2-mnist-callback"
    make_course(tmp_path, [assignment])
    submit(tmp_path, "new-notebook", assignment, nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))
    (skipped,) = collect(tmp_path, assignment).skipped
    assert "none of the assignment's graded cells" in skipped.reason
