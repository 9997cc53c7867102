"""Readings from an H2O model's scoring history: durations and training speed."""

from __future__ import annotations

import re

__all__ = ["duration_seconds", "history_rows", "samples_per_second"]

_UNITS = {"d": 86400, "h": 3600, "hr": 3600, "hrs": 3600, "min": 60, "mins": 60,
          "sec": 1, "s": 1, "ms": 0.001}


def duration_seconds(text: str) -> float:
    """H2O's scoring-history duration ("1 min 22.507 sec", " 5.1 sec") in seconds."""
    parts = re.findall(r"([\d.]+)\s*([a-z]+)", str(text).strip())
    if parts and all(unit in _UNITS for _, unit in parts):
        return sum(float(value) * _UNITS[unit] for value, unit in parts)
    raise ValueError(f"cannot read an H2O duration from {text!r}")


def history_rows(model) -> list[list[float]]:
    """The scoring history as [epochs, iterations, samples, seconds] rows."""
    history = model.scoring_history()
    return [[round(float(r["epochs"]), 5), int(r["iterations"]), float(r["samples"]),
             round(duration_seconds(r["duration"]), 3)] for _, r in history.iterrows()]


def samples_per_second(model) -> float:
    """Training samples per second of the training duration the scoring history
    records: the speed figure of the book's one-class benchmark."""
    _epochs, _iterations, samples, seconds = history_rows(model)[-1]
    return samples / seconds if seconds > 0 else float("nan")
