"""The checks' warm process: a preload gets no answer, and the checks it then runs answer as a
fresh process would."""
from __future__ import annotations

import json
import subprocess

import pytest

from autograder.artifacts.spec import export_spec
from autograder.checking import server
from autograder.checking.verify import verify_in_fresh_process
from autograder.environment import run_module
from autograder.kernel.save import save

QUIZ = "c1w1-quiz"
TESTS = ["test_q1_answer", "test_q2_answer"]


@pytest.fixture
def records(tmp_path):
    """What a grading kernel saves for a quiz with one right answer and one wrong one."""
    folder = tmp_path / "artifacts"
    spec = export_spec(QUIZ)["tests"]
    for test in TESTS:
        save({"q1_answer": "C", "q2_answer": 7}, spec[test], folder)
    return folder


@pytest.fixture
def fresh_server(monkeypatch):
    """A warm process of this test's own, ended (by its pid) afterwards."""
    monkeypatch.setattr(server, "_server", None)
    yield
    if server._server is not None:
        server._server.close()


def test_a_preload_gets_no_answer_and_the_next_request_does(records):
    requests = [{"assignment": QUIZ, "preload": True},
                {"assignment": QUIZ, "folder": str(records), "tests": TESTS, "failures": [], "cwd": None}]
    done = subprocess.run(run_module("autograder.checking.server"), input="".join(json.dumps(r) + "\n" for r in requests),
                          capture_output=True, text=True, timeout=120, check=True)
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == 1, done.stdout
    assert answers[0]["outcomes"]["test_q1_answer"] is None
    assert "test_q2_answer" in answers[0]["outcomes"] and answers[0]["outcomes"]["test_q2_answer"]


def test_prewarmed_checks_answer_as_a_fresh_process(records, fresh_server):
    server.prewarm(QUIZ)
    warm = server.verify_outside(QUIZ, records, TESTS)
    assert warm == verify_in_fresh_process(QUIZ, records, TESTS, [], 120)
    assert warm["test_q1_answer"] is None and warm["test_q2_answer"]


def test_a_dead_warm_process_is_replaced_by_the_next_prewarm(records, fresh_server):
    server.prewarm(QUIZ)
    first = server._server
    first.close()  # as if it had been killed
    server.prewarm(QUIZ)
    assert server._server is not first and server._server.alive()
    assert server.verify_outside(QUIZ, records, TESTS)["test_q1_answer"] is None
