"""Shared fixtures for the survey tests: the bundled codebook, an imported synthetic wave."""

from pathlib import Path

import duckdb
import pytest

from tasks.survey.codebook import load_codebook
from tasks.survey.importer import import_file

SURVEY_DIR = Path(__file__).resolve().parents[3] / "tasks" / "survey"
EXAMPLE = SURVEY_DIR / "examples" / "khromtau_synthetic_wave.csv"
SYNTH_WAVE = "khromtau-2024-synthetic"


@pytest.fixture(scope="session")
def codebook():
    return load_codebook("khromtau_2024")


@pytest.fixture(scope="module")
def imported(tmp_path_factory, codebook):
    """A warehouse with the synthetic example imported (and analysed) once."""
    w = tmp_path_factory.mktemp("survey") / "w.duckdb"
    result = import_file(EXAMPLE, codebook=codebook, survey_id=SYNTH_WAVE, warehouse=w)
    return w, result


class Warehouse:
    """Read helpers for a warehouse file (tests import nothing from conftest)."""

    @staticmethod
    def rows(path, sql, params=None):
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    @staticmethod
    def frame(path, sql, params=None):
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute(sql, params or []).df()


@pytest.fixture(scope="session")
def wh():
    return Warehouse()


@pytest.fixture(scope="session")
def example():
    return EXAMPLE


@pytest.fixture(scope="session")
def survey_dir():
    return SURVEY_DIR
