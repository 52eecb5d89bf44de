"""Each platform's results from hand-made outcomes: the schema, the mapping, the limits."""
import json

import pytest
from platform_cases import assert_valid, half_done, part, submission

from autograder.platforms import PLATFORMS, coursera, gradescope, prairielearn
from autograder.platforms.outcome import GRADER_FAILED, Outcome
from autograder.platforms.output import fit_json, scrub, summary, text_report, truncate

FORMAT = {"gradescope": gradescope.results, "prairielearn": prairielearn.results, "coursera": coursera.feedback}
UNREADABLE = "c1w1-quiz.ipynb is not a valid Jupyter notebook (not JSON). Save it in Jupyter and submit it again."


def outcomes():
    return {
        "graded": Outcome(half_done(), seconds=12.6),
        "unreadable": Outcome(problem=UNREADABLE, seconds=0.2),
        "grader failed": Outcome(problem=GRADER_FAILED, grader_failed=True),
    }


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("kind", ["graded", "unreadable", "grader failed"])
def test_every_outcome_follows_the_platform_schema(platform, kind):
    assert_valid(platform, FORMAT[platform](outcomes()[kind]))


def test_gradescope_maps_each_part_to_a_test():
    result = half_done()
    results = gradescope.results(Outcome(result, seconds=12.6))
    assert results["score"] == 1.0 and results["execution_time"] == 13
    assert results["output"] == summary(result)
    assert results["tests"][0] == {"name": "test_q1_answer", "score": 1.0, "max_score": 1.0, "status": "passed",
                                   "output": "", "visibility": "visible"}
    failed = results["tests"][1]
    assert failed["status"] == "failed" and failed["output"].startswith("Question 2: expected a number.")


def test_gradescope_not_gradable_is_a_zero_with_the_reason():
    results = gradescope.results(Outcome(problem=UNREADABLE))
    assert results["score"] == 0 and results["output"] == UNREADABLE and "tests" not in results


def test_prairielearn_scores_a_fraction_and_keeps_messages_in_output():
    result = half_done()
    results = prairielearn.results(Outcome(result))
    assert results["gradable"] is True and results["score"] == 0.5
    failed = results["tests"][1]
    assert (failed["points"], failed["max_points"]) == (0.0, 1.0)
    assert failed["output"] == result.tests[1].message and failed["message"].startswith("Not passed")


def test_prairielearn_not_gradable_uses_no_attempt():
    results = prairielearn.results(Outcome(problem=UNREADABLE))
    assert results["gradable"] is False and results["format_errors"] == [UNREADABLE]
    assert "no attempt was used" in results["message"] and "score" not in results


def test_prairielearn_grader_failure_does_not_tell_the_learner_to_fix_anything():
    results = prairielearn.results(Outcome(problem=GRADER_FAILED, grader_failed=True))
    assert results["gradable"] is False and "Fix" not in results["message"]


def test_prairielearn_results_are_cut_to_1_mb():
    result = half_done()
    result.tests[1].message = "x" * 3_000_000
    fitted = fit_json(prairielearn.results(Outcome(result)), prairielearn.MAX_BYTES)
    assert len(json.dumps(fitted).encode()) <= prairielearn.MAX_BYTES
    assert "[cut: the full text was 3000000 bytes]" in fitted["tests"][1]["output"]
    assert_valid("prairielearn", fitted)


def test_coursera_feedback_is_a_fraction_with_the_text_report():
    result = half_done()
    feedback = coursera.feedback(Outcome(result))
    assert feedback == {"fractionalScore": 0.5, "feedback": text_report(result), "feedbackType": "HTML"}


def test_coursera_feedback_text_stays_under_64_kb():
    result = half_done()
    result.tests[1].message = "é" * 100_000  # two bytes each
    feedback = coursera.feedback(Outcome(result))
    assert len(feedback["feedback"].encode()) <= coursera.MAX_FEEDBACK_BYTES
    assert_valid("coursera", feedback)


def test_fraction_is_zero_without_points():
    assert Outcome(submission()).fraction == 0.0 and Outcome().fraction == 0.0


def test_text_report_lists_every_part():
    result = half_done()
    lines = text_report(result).splitlines()
    assert lines[0] == ("c1w1-quiz: 1 / 2 points. 1 part to fix: each one's message says what went wrong "
                        "and how to fix it.")
    assert lines[1] == "✓ test_q1_answer: 1 / 1"
    assert lines[2:] == ["✗ test_q2_answer: 0 / 1", "    Question 2: expected a number.", "    fix: write one number"]


def test_a_message_quoting_hidden_tests_loses_those_lines():
    leaked = part("test_q1_answer", False,
                  "Wrong answer.\n### BEGIN HIDDEN TESTS\nrun_check(\"c1w1-quiz\", \"q1\", globals())")
    assert scrub(leaked.message) == "Wrong answer."
    assert gradescope.results(Outcome(submission(leaked)))["tests"][0]["output"] == "Wrong answer."


def test_truncate_counts_bytes_and_says_so():
    assert truncate("short", 100) == "short"
    cut = truncate("a" * 500, 100)
    assert len(cut.encode()) <= 100 and cut.endswith("[cut: the full text was 500 bytes]")
