"""Helpers for the book *Anomaly detection with autoencoders, using H2O-3 from Python*.

What several notebooks, scripts and tests share lives here once, a module a concern:

- data: the fetcher (:mod:`aebook.data`, ``python -m aebook``), the IDX reader
  (:mod:`aebook.idx`), MNIST loading (:mod:`aebook.mnist`), access logs
  (:mod:`aebook.weblogs`), windows of a time series (:mod:`aebook.timeseries`) and
  random samples (:mod:`aebook.sampling`);
- clusters and storage: the H2O session (:mod:`aebook.h2o_session`), getting a file
  or a small table into any cluster (:mod:`aebook.file_to_cluster`), object storage
  (:mod:`aebook.object_storage`), one H2O and one store for a command
  (:mod:`aebook.build_cluster`), the guard that ends servers with the kernel
  (:mod:`aebook.guarded_process`, its script :mod:`aebook.guard`);
- models and scores: tables (:mod:`aebook.tabular`), a model deployed as a MOJO
  (:mod:`aebook.mojo`), the your-own-data report (:mod:`aebook.report`), scores
  against labels (:mod:`aebook.evaluation`), the detectors of the field
  (:mod:`aebook.detectors`), H2O's scoring history (:mod:`aebook.scoring_history`);
- results files of the benchmarks: JSON Schemas and checked reading and writing
  (:mod:`aebook.schemas`, :mod:`aebook.results_files`), and each file's own checks
  (:mod:`aebook.one_class_mnist_results`, :mod:`aebook.field_results`,
  :mod:`aebook.keras_comparison`);
- the book: notebook parameters (:mod:`aebook.params`), values glued into the prose
  (:mod:`aebook.glue`), digit grids and figures (:mod:`aebook.plots`), the classroom
  quick mode (:mod:`aebook.classroom`, :mod:`aebook.quick_config`), the parallel
  execution of the quick book (:mod:`aebook.book_execution`) and the configuration
  of ``make book EXECUTE=1`` (:mod:`aebook.execute_config`); atomic file writes
  (:mod:`aebook.files`).
"""

from .classroom import QUICK_PARAMETERS, QuickModeError, apply_quick_mode
from .data import DataError, fetch, path_of
from .file_to_cluster import frame_from_file
from .h2o_session import H2OSession, H2OSetupError, h2o_session, start_h2o, unique_id
from .idx import IdxFormatError, read_idx
from .object_storage import ObjectStore, StorageError, start_object_store
from .params import ParameterError, check_parameter

__all__ = [
    "QUICK_PARAMETERS",
    "DataError",
    "H2OSession",
    "H2OSetupError",
    "IdxFormatError",
    "ObjectStore",
    "ParameterError",
    "QuickModeError",
    "StorageError",
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
