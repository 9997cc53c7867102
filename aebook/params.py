"""Validate notebook parameters (papermill injects them) before any work starts."""

from __future__ import annotations

from typing import Any

__all__ = ["ParameterError", "check_parameter"]


class ParameterError(ValueError):
    """A notebook parameter has a value the notebook cannot use."""


def check_parameter(name: str, value: Any, ok: bool, expected: str) -> None:
    """Raise :class:`ParameterError` saying ``name=value`` is invalid unless ``ok``.

    ``expected`` completes the sentence "expected ...", e.g. "a whole number from 1 to 60000".
    """
    if not ok:
        raise ParameterError(f"invalid parameter {name}={value!r}: expected {expected}")
