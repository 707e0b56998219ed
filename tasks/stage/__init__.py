"""The scratch database where inputs are read and typed, one module per concern.

* :mod:`~tasks.stage.database` -- the scratch DuckDB database (:class:`Stage`);
* :mod:`~tasks.stage.sniff` -- what the bytes are (empty, NUL bytes, blank lines, encoding,
  delimiter), found by streamed scans;
* :mod:`~tasks.stage.read` -- the reading rules (:func:`read_relation`), with the readers
  :mod:`~tasks.stage.csv_reader` and :mod:`~tasks.stage.xlsx_reader`;
* :mod:`~tasks.stage.typed` -- the SQL typing compiler (:func:`type_relation`);
* :mod:`~tasks.stage.frames` -- typed tables as pandas (:func:`to_pandas`) and the pandas
  stand-in whose rows stay in the database (:class:`StagedFrame`).

SQL names and literals are quoted by :mod:`warehouse.sql`.
"""

from tasks.stage.database import BATCH_ROWS, MEMORY_LIMIT, Stage
from tasks.stage.errors import ReadError
from tasks.stage.frames import StagedFrame, to_pandas
from tasks.stage.raw import RawTable
from tasks.stage.read import read_relation, text_frame
from tasks.stage.typed import CellFailure, type_relation
from warehouse.sql import ident
from warehouse.sql import literal as sql_text

__all__ = [
    "BATCH_ROWS",
    "MEMORY_LIMIT",
    "CellFailure",
    "RawTable",
    "ReadError",
    "Stage",
    "StagedFrame",
    "ident",
    "read_relation",
    "sql_text",
    "text_frame",
    "to_pandas",
    "type_relation",
]
