"""The steps of nbgrader's autograde pipeline as a course configures them (nbgrader_config.py)."""
from __future__ import annotations

from nbgrader.converters import Autograde
from traitlets.utils.importstring import import_item


def step_class(step):
    return import_item(step) if isinstance(step, str) else step


def is_step(step, cls) -> bool:
    found = step_class(step)
    return isinstance(found, type) and issubclass(found, cls)


def is_worker_step(step) -> bool:
    """A step that works on files beside the executed notebook: done by the worker, never replayed."""
    return bool(getattr(step_class(step), "needs_worker_files", False))


def autograde_steps(config) -> list:
    """The configured autograde pipeline, else nbgrader's default one."""
    return _configured(config, "autograde_preprocessors")


def sanitize_steps(config) -> list:
    """The configured sanitizing steps (run on a submission before it executes), else nbgrader's."""
    return _configured(config, "sanitize_preprocessors")


def _configured(config, name: str) -> list:
    default = Autograde.class_traits()[name].default_value
    return list(config.Autograde.get(name, default))
