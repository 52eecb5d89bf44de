"""Learners linked by flagged pairs: when many submit the same code, one line says so."""
from __future__ import annotations


def groups(pairs: list[tuple[str, str]]) -> list[list[str]]:
    """Connected groups of learners, largest first, each sorted."""
    parent: dict[str, str] = {}
    for a, b in pairs:
        parent[_root(parent, a)] = _root(parent, b)
    members: dict[str, list[str]] = {}
    for name in parent:
        members.setdefault(_root(parent, name), []).append(name)
    return sorted((sorted(group) for group in members.values()), key=lambda g: (-len(g), g))


def _root(parent: dict[str, str], name: str) -> str:
    parent.setdefault(name, name)
    while parent[name] != name:
        parent[name] = parent[parent[name]]  # path halving keeps chains short
        name = parent[name]
    return name
