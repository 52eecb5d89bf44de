"""Finding the submitted notebook and its assignment, and refusing what cannot be graded."""
import pytest
from platform_cases import put, starter

from autograder.platforms.submission import SetupError, Unreadable, find_notebook, locate


def test_the_one_notebook_is_found_at_any_depth_beside_other_files(tmp_path):
    notebook = put(tmp_path, "work/My Quiz (1).ipynb")
    put(tmp_path, "notes.txt", "notes")
    put(tmp_path, "work/.ipynb_checkpoints/My Quiz (1)-checkpoint.ipynb")
    assert locate(tmp_path, None) == (notebook, "c1w1-quiz")  # the notebook's metadata names it


def test_no_notebook_names_what_was_found(tmp_path):
    put(tmp_path, "quiz.py", "q1_answer = 'C'")
    with pytest.raises(Unreadable, match=r"No Jupyter notebook.*it holds: quiz.py.*your c1w1-quiz.ipynb notebook"):
        find_notebook(tmp_path, "c1w1-quiz")


def test_an_empty_or_missing_folder_has_no_notebook(tmp_path):
    with pytest.raises(Unreadable, match="it is empty"):
        find_notebook(tmp_path / "missing")


def test_two_notebooks_are_refused_unless_one_is_named_after_the_assignment(tmp_path):
    put(tmp_path, "a.ipynb")
    put(tmp_path, "b.ipynb")
    with pytest.raises(Unreadable, match=r"holds 2 notebooks \(a.ipynb, b.ipynb\).*Submit only"):
        find_notebook(tmp_path)
    named = put(tmp_path, "c1w1-quiz.ipynb")
    assert find_notebook(tmp_path, "c1w1-quiz") == named


def test_a_file_that_is_not_a_notebook_says_so_by_its_name_only(tmp_path):
    put(tmp_path, "c1w1-quiz.ipynb", "this is not json")
    with pytest.raises(Unreadable) as refused:
        locate(tmp_path, None)
    assert str(refused.value).startswith("c1w1-quiz.ipynb is not a valid Jupyter notebook")
    assert str(tmp_path) not in str(refused.value)


def test_another_assignments_notebook_is_refused(tmp_path):
    put(tmp_path, "c1w1-quiz.ipynb", starter("c1w2-quiz"))
    with pytest.raises(Unreadable, match="is the notebook of c1w2-quiz, but this is c1w1-quiz"):
        locate(tmp_path, "c1w1-quiz")


def test_a_notebook_no_assignment_claims_is_refused(tmp_path):
    put(tmp_path, "homework.ipynb", '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    with pytest.raises(Unreadable, match="cannot tell which assignment homework.ipynb is for.*c1w1-quiz.ipynb"):
        locate(tmp_path, None)


def test_an_unknown_configured_assignment_is_the_graders_fault(tmp_path):
    put(tmp_path, "c1w1-quiz.ipynb")
    with pytest.raises(SetupError, match="set up for assignment 'c9-quiz'"):
        locate(tmp_path, "c9-quiz")
