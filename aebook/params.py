"""Validate notebook parameters (papermill injects them) before any work starts.

Every check raises :class:`ParameterError` with one sentence of the same form,
``invalid parameter NAME=VALUE: expected WHAT``, where WHAT says which values work.
Booleans are never numbers here (in Python ``True`` is the integer 1), and numbers
must be finite.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import Any

__all__ = [
    "H2O_ACTIVATIONS",
    "SEED_MAX",
    "ParameterError",
    "check_autoencoder_activation",
    "check_choice",
    "check_layer_sizes",
    "check_memory_size",
    "check_number",
    "check_parameter",
    "check_text",
    "check_whole_number",
    "machine_memory_bytes",
    "memory_size_bytes",
]

# H2O's seed is a Java long (signed 64 bits).
SEED_MAX = 2**63 - 1
_UNITS = {"M": 20, "G": 30, "T": 40}  # the suffixes h2o.init accepts, in any case
_CGROUP_LIMIT = Path("/sys/fs/cgroup/memory.max")
# The activations H2O's deep learning accepts.
H2O_ACTIVATIONS = ("Tanh", "TanhWithDropout", "Rectifier", "RectifierWithDropout",
                   "ExpRectifier", "ExpRectifierWithDropout", "Maxout",
                   "MaxoutWithDropout")
# The values an autoencoder's output layer can produce: H2O gives it the hidden
# layers' activation without dropout (DeepLearningTask.makeNeurons). Tanh lies in
# (-1, 1), Rectifier in [0, inf), ExpRectifier in (-1, inf); Maxout is unbounded.
_OUTPUT_RANGE = {"Tanh": (-1.0, 1.0), "Rectifier": (0.0, math.inf),
                 "ExpRectifier": (-1.0, math.inf), "Maxout": (-math.inf, math.inf)}


class ParameterError(ValueError):
    """A notebook parameter has a value the notebook cannot use."""


def check_parameter(name: str, value: Any, ok: bool, expected: str) -> None:
    """Raise :class:`ParameterError` saying ``name=value`` is invalid unless ``ok``.

    ``expected`` completes the sentence "expected ...", e.g. "a whole number from 1 to 60000".
    """
    if not ok:
        raise ParameterError(f"invalid parameter {name}={value!r}: expected {expected}")


def check_text(name: str, value: Any, expected: str) -> None:
    """``value`` is text; a number or a bool, as papermill's ``-p`` makes of ``1`` or
    ``true``, is refused with the way to pass it as text (``-r``)."""
    if isinstance(value, bool | int | float):
        check_parameter(name, value, False,
                        f"{expected}; papermill's -p reads {value!r} as "
                        f"{'True or False' if isinstance(value, bool) else 'a number'}, so pass it as "
                        f"text with -r {name} {value}")
    check_parameter(name, value, isinstance(value, str), expected)


def _show(n: float) -> str:
    """A bound as the reader would write it: 2**63 - 1 rather than 19 digits."""
    if isinstance(n, int) and n >= 2**31 and (n + 1).bit_count() == 1:
        return f"2**{(n + 1).bit_length() - 1} - 1"
    return f"{n:g}" if isinstance(n, float) else str(n)


def _is_whole(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _is_finite(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def check_whole_number(name: str, value: Any, minimum: int, maximum: int,
                       what: str = "a whole number") -> None:
    """``value`` is an integer (not a bool) from ``minimum`` to ``maximum``."""
    ok = _is_whole(value) and minimum <= value <= maximum
    check_parameter(name, value, ok, f"{what} from {_show(minimum)} to {_show(maximum)}")


def check_number(name: str, value: Any, minimum: float | None = None,
                 maximum: float | None = None, *, above: bool = False,
                 below: bool = False, what: str = "a finite number") -> None:
    """``value`` is a finite int or float (not a bool) within the bounds.

    ``above``/``below`` make the minimum/maximum exclusive.
    """
    ok = _is_finite(value)
    if ok and minimum is not None:
        ok = value > minimum if above else value >= minimum
    if ok and maximum is not None:
        ok = value < maximum if below else value <= maximum
    low = high = ""
    if minimum is not None:
        low = "above " if above else "from " if maximum is not None else "of at least "
        low += _show(minimum)
    if maximum is not None:
        high = "below " if below else "at most "
        if minimum is not None:
            high = "and " + high if above else "to below " if below else "to "
        high += _show(maximum)
    check_parameter(name, value, ok, " ".join(p for p in (what, low, high) if p))


def check_layer_sizes(name: str, value: Any, maximum: int = 1000, max_layers: int = 5,
                      odd: bool = False, example: str = "[50]") -> None:
    """``value`` is a list or tuple of 1 to ``max_layers`` whole numbers from 1 to ``maximum``.

    With ``odd``, the number of layers must be odd (a middle layer is the bottleneck).
    """
    ok = (isinstance(value, (list, tuple)) and 1 <= len(value) <= max_layers
          and all(_is_whole(v) and 1 <= v <= maximum for v in value)
          and (not odd or len(value) % 2 == 1))
    count = f"an odd number (1 to {max_layers}) of" if odd else f"a list of 1 to {max_layers}"
    check_parameter(name, value, ok, f"{count} layer sizes, each a whole number from 1 to "
                    f"{maximum}, e.g. {example}")


def check_choice(name: str, value: Any, choices: Sequence[Any]) -> None:
    """``value`` is one of ``choices`` (compared with ``==``, type included)."""
    shown = [f'"{c}"' if isinstance(c, str) else repr(c) for c in choices]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    ok = any(type(value) is type(c) and value == c for c in choices)
    check_parameter(name, value, ok, listed)


def memory_size_bytes(size: str) -> int | None:
    """Bytes of a size such as ``"512M"``, ``"2G"`` or ``"1g"``; None if it is not one."""
    match = re.fullmatch(r"(\d+)([MGT])", size, re.IGNORECASE) if isinstance(size, str) else None
    return int(match[1]) << _UNITS[match[2].upper()] if match else None


def machine_memory_bytes() -> int | None:
    """The memory this process may use: physical memory, or less under a cgroup limit."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    try:
        limit = _CGROUP_LIMIT.read_text().strip()
    except OSError:
        limit = "max"
    return min(total, int(limit)) if limit.isdigit() else total


def _size_text(n: int) -> str:
    return f"{n >> 30}G" if n >= 1 << 30 else f"{n >> 20}M"


def check_memory_size(name: str, value: object, minimum: str = "256M") -> None:
    """``value`` is a memory size for H2O (``"512M"``, ``"2G"``, ``"1g"``, ...) from
    ``minimum`` up to the memory of this machine."""
    low = memory_size_bytes(minimum)
    if low is None:
        raise ValueError(f"minimum={minimum!r} is not a size such as '512M' or '2G'")
    size = memory_size_bytes(value)  # type: ignore[arg-type]
    machine = machine_memory_bytes()
    ok = size is not None and size >= low and (machine is None or size <= machine)
    bounds = (f"from {minimum.upper()} to {_size_text(machine)} (this machine's memory)"
              if machine else f"of at least {minimum.upper()}")
    check_parameter(name, value, ok, f'a memory size {bounds}, such as "2G" '
                    "(a whole number followed by M, G or T)")


def check_autoencoder_activation(activation: Any, standardize: bool,
                                 input_range: tuple[float, float] | None = None,
                                 name: str = "activation") -> None:
    """``activation`` lets an H2O autoencoder reconstruct its own targets.

    An H2O autoencoder's output layer uses the hidden layers' activation (without
    dropout), and its targets are the inputs as the network sees them. With
    ``standardize=True`` H2O normalises each numeric column to
    ``(x - mean) / (max - min)`` (``DataInfo.TransformType.NORMALIZE``; a constant
    column is only centred), so every column that varies has targets below zero,
    which ``Rectifier`` can never output; the targets of the training rows lie
    strictly between -1 and 1, within reach of ``Tanh`` and ``ExpRectifier``.
    With ``standardize=False`` the targets are the raw values, whose
    ``input_range`` (smallest, largest) must fit the activation: ``Tanh`` stays
    within (-1, 1), ``Rectifier`` above 0, ``ExpRectifier`` above -1. Without an
    ``input_range`` only the activation's name is checked then. ``Maxout`` is
    unbounded and always accepted.
    """
    check_choice(name, activation, H2O_ACTIVATIONS)
    check_choice("standardize", standardize, (True, False))
    base = activation.removesuffix("WithDropout")
    low, high = _OUTPUT_RANGE[base]
    if standardize:
        check_parameter(name, activation, base != "Rectifier",
                        '"Tanh", "ExpRectifier" or "Maxout" (with or without '
                        "dropout), because with standardize=True H2O centres "
                        "every column on its mean and the autoencoder's output "
                        "layer, which uses the hidden activation, cannot be "
                        "negative with Rectifier (or set standardize=False for "
                        "inputs of at least 0)")
        return
    if input_range is None:
        return
    smallest, largest = (float(v) for v in input_range)
    if smallest < low or (base == "Tanh" and largest > high):
        span = ("from -1 to 1" if base == "Tanh"
                else f"of at least {_show(low)}")
        raise ParameterError(
            f"invalid parameter {name}={activation!r}: expected an activation "
            f"whose output reaches the inputs' range [{smallest:g}, {largest:g}] "
            f"(the autoencoder's output layer uses the hidden activation, and "
            f"{base} only produces values {span}): choose another activation, "
            "scale the inputs into its range or set standardize=True")
