"""A real warehouse file with the bundled study data loaded into core (no results yet)."""

from datetime import date

import duckdb
import pytest

from tasks.load import load_core
from tasks.sources.base import utc_now
from tasks.sources.bundled import read_bundled
from tasks.validate import validate_payloads
from warehouse.db import migrate


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """A warehouse with the bundled study data loaded into core (no results yet)."""
    path = str(tmp_path_factory.mktemp("study") / "w.duckdb")
    batch = validate_payloads(read_bundled(), today=date.today())
    assert not batch.errors
    with duckdb.connect(path) as con:
        migrate(con)
        load_core(con, batch.frames, "test-run", utc_now())
    return path
