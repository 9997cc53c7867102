"""Helpers for the book *Anomaly detection with autoencoders, using H2O-3 from Python*.

What several notebooks share lives here once: the data fetcher (:mod:`aebook.data`),
the IDX reader (:mod:`aebook.idx`), MNIST loading (:mod:`aebook.mnist`), the H2O
session helper (:mod:`aebook.h2o_session`), getting a file into any cluster
(:mod:`aebook.file_to_cluster`), object storage (:mod:`aebook.object_storage`), the
guard that ends servers with the kernel (:mod:`aebook.guarded_process`, its script
:mod:`aebook.guard`), atomic file writes (:mod:`aebook.files`), digit grids
(:mod:`aebook.plots`), the classroom quick mode (:mod:`aebook.classroom`), values
glued into the prose (:mod:`aebook.glue`), tables (:mod:`aebook.tabular`), a model
deployed as a MOJO (:mod:`aebook.mojo`), scores against labels
(:mod:`aebook.evaluation`), H2O's scoring history (:mod:`aebook.scoring_history`),
access logs (:mod:`aebook.weblogs`) and windows of a time series
(:mod:`aebook.timeseries`).
"""

from .classroom import QUICK_PARAMETERS, QuickModeError, apply_quick_mode
from .data import DataError, fetch, path_of
from .file_to_cluster import frame_from_file
from .h2o_session import H2OSession, H2OSetupError, h2o_session, start_h2o, unique_id
from .idx import IdxFormatError, read_idx
from .object_storage import ObjectStore, StorageError, start_object_store
from .params import ParameterError, check_parameter

__all__ = [
    "DataError",
    "H2OSession",
    "H2OSetupError",
    "IdxFormatError",
    "ObjectStore",
    "ParameterError",
    "StorageError",
    "QUICK_PARAMETERS",
    "QuickModeError",
    "apply_quick_mode",
    "check_parameter",
    "fetch",
    "frame_from_file",
    "h2o_session",
    "path_of",
    "read_idx",
    "start_h2o",
    "start_object_store",
    "unique_id",
]
