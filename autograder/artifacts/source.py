"""A learner's function or class as its source text: what the diagnostics read of its code."""
from __future__ import annotations

import inspect
import textwrap


def source_of(obj) -> str:
    """The source text of a learner's function or class ('' when unavailable).

    In a notebook kernel `inspect.getsource` finds functions (IPython keeps each cell's code)
    but not classes, so a class is read method by method.
    """
    if isinstance(obj, str):
        return obj
    recorded = getattr(obj, "recorded_source", None)  # a class replayed outside the kernel
    if isinstance(recorded, str):
        return recorded
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        pass
    if isinstance(obj, type):
        parts = []
        for value in vars(obj).values():
            function = getattr(value, "__func__", value)
            if inspect.isfunction(function):
                parts.append(textwrap.dedent(source_of(function)))
        return "\n".join(part for part in parts if part)
    return ""
