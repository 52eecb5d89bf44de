"""`autograder demo` where a data set cannot be had at all: the rest is graded, and it says what it left out."""
from __future__ import annotations

from autograder import api, cli, data
from autograder.pipeline import demo
from autograder.pipeline.batch import BatchResult


def _without_horse_or_human(monkeypatch):
    """A mirror with neither the official horse-or-human images nor the reduced copy."""
    def fetch(name, **options):
        if name == "horse-or-human":
            raise data.DataError("horse-or-human: not in the mirror /mirror. Copy it there, or unset the mirror.")
        return None

    monkeypatch.setattr(data, "fetch", fetch)
    monkeypatch.setattr(data, "variant", lambda name: "official")


def test_a_data_set_that_cannot_be_had_is_reported_with_its_assignments(monkeypatch):
    _without_horse_or_human(monkeypatch)
    reduced, missing = demo.prepare_demo_data()
    assert reduced == [] and list(missing) == ["horse-or-human"]
    assert "not in the mirror" in missing["horse-or-human"]
    assert demo.left_out(missing) == ["c1w4-horse-or-human"]


def test_the_demo_grades_the_rest_and_exits_0(monkeypatch, tmp_path, capsys):
    _without_horse_or_human(monkeypatch)
    asked = {}

    def grade(folder, without=frozenset(), **options):
        asked["without"] = without
        return BatchResult()

    monkeypatch.setattr(api, "demo", grade)
    assert cli.main(["demo", "--dir", str(tmp_path / "course"), "--verbose"]) == 0
    assert asked["without"] == {"horse-or-human"}
    said = capsys.readouterr().err
    assert "horse-or-human: not available, so the demo leaves out c1w4-horse-or-human." in said
    assert "Copy it there" in said, "the reason and what to do"
