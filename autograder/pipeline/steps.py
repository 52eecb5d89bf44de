"""The steps of nbgrader's autograde pipeline as a course configures them (nbgrader_config.py)."""
from __future__ import annotations

from nbgrader.converters import Autograde
from traitlets.utils.importstring import import_item


def step_class(step):
    return import_item(step) if isinstance(step, str) else step


def is_step(step, cls) -> bool:
    found = step_class(step)
    return isinstance(found, type) and issubclass(found, cls)


def autograde_steps(config) -> list:
    """The configured autograde pipeline, else nbgrader's default one."""
    default = Autograde.class_traits()["autograde_preprocessors"].default_value
    return list(config.Autograde.get("autograde_preprocessors", default))
