"""Helpers for the book *Anomaly detection with autoencoders, using H2O-3 from Python*.

What several notebooks share lives here once: the data fetcher (:mod:`aebook.data`),
the IDX reader (:mod:`aebook.idx`), MNIST loading (:mod:`aebook.mnist`), the H2O
session helper (:mod:`aebook.h2o_session`), digit grids (:mod:`aebook.plots`) and the
classroom quick mode (:mod:`aebook.classroom`).
"""

from .classroom import QUICK_PARAMETERS, QuickModeError, apply_quick_mode
from .data import DataError, fetch, path_of
from .h2o_session import H2OSession, H2OSetupError, h2o_session, start_h2o
from .idx import IdxFormatError, read_idx
from .params import ParameterError, check_parameter

__all__ = [
    "DataError",
    "H2OSession",
    "H2OSetupError",
    "IdxFormatError",
    "ParameterError",
    "QUICK_PARAMETERS",
    "QuickModeError",
    "apply_quick_mode",
    "check_parameter",
    "fetch",
    "h2o_session",
    "path_of",
    "read_idx",
    "start_h2o",
]
