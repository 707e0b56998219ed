"""The study is a true plug-in: its tables come from its own migrations, and no generic module
(``flows/``, ``tasks/`` outside ``tasks/studies/<study>/``, ``schemas/``, ``warehouse/`` with the
generic migrations) names one of them. The registry and the study folders agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tasks.report import build
from tasks.studies import STUDIES
from warehouse.plugins import study_dirs, study_files

ROOT = Path(__file__).resolve().parents[3]
GENERIC = ("flows", "tasks", "schemas", "warehouse")
TEXT = {".py", ".sql", ".yaml", ".yml", ".j2", ".md", ".csv", ".json", ".toml", ".txt"}
CREATE = re.compile(
    r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)\"?\s*\.\s*\"?(\w+)\"?", re.I
)


def study_tables() -> dict[str, set[tuple[str, str]]]:
    """``{study: {(schema, table)}}`` created by each study's own migrations."""
    return {
        study: {m.groups() for f in files for m in CREATE.finditer(f.read_text("utf-8"))}
        for study, files in study_files("migrations", ".sql").items()
    }


def naming(table: tuple[str, str]) -> re.Pattern:
    """``schema.table`` as code or SQL writes it (``results.hypothesis``,
    ``results."hypothesis"``, ``"results"."hypothesis"``), not a bare column or word."""
    schema, name = table
    return re.compile(rf'(?<![\w.])"?{schema}"?\s*\.\s*"?{name}"?(?![\w])', re.I)


def generic_files() -> list[Path]:
    """Every text file of the generic packages, the study packages left out."""
    studies = [p.resolve() for p in study_dirs().values()]
    out = []
    for package in GENERIC:
        for path in sorted((ROOT / package).rglob("*")):
            if not path.is_file() or path.suffix not in TEXT or "__pycache__" in path.parts:
                continue
            if any(path.resolve().is_relative_to(s) for s in studies):
                continue
            out.append(path)
    return out


def offenders(files: list[Path], tables: set[tuple[str, str]], root: Path = ROOT) -> list[str]:
    """``file:line: schema.table`` for every line of ``files`` that names one of ``tables``."""
    patterns = {f"{s}.{t}": naming((s, t)) for s, t in sorted(tables)}
    found = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for no, line in enumerate(text.splitlines(), 1):
            for table, pattern in patterns.items():
                if pattern.search(line):
                    found.append(f"{path.relative_to(root)}:{no}: {table}")
    return found


def test_every_registered_study_has_a_folder_and_every_study_folder_is_registered():
    assert sorted(study_dirs()) == sorted(s.name for s in STUDIES)


def test_each_study_creates_its_tables_in_its_own_migrations():
    tables = study_tables()
    assert tables["khromtau_2024"] >= {
        ("core", "survey_table5"),
        ("core", "survey_paired_value"),
        ("core", "published_number"),
        ("results", "support_measure"),
        ("results", "paper_reproduction"),
        ("results", "hypothesis"),
    }
    for study in STUDIES:  # the core tables a study loads its inputs into are its own
        own = {".".join(t) for t in tables.get(study.name, set())}
        assert set(study.core_tables.values()) <= own, study.name


def test_no_generic_module_names_a_study_table():
    tables = set().union(*study_tables().values())
    files = generic_files()
    assert any(p.name == "001_initial.sql" for p in files)  # generic migrations are checked
    assert any(p.name == "build.py" for p in files) and len(files) > 100
    found = offenders(files, tables)
    assert not found, "generic modules name study tables (move it into the study):\n" + "\n".join(
        found
    )


@pytest.mark.parametrize(
    ("line", "table"),
    [
        ('frame = snap.get("results.hypothesis")', "results.hypothesis"),
        ("SELECT * FROM core.published_number", "core.published_number"),
        ('COMMENT ON COLUMN results."paper_reproduction".status IS', "results.paper_reproduction"),
        ("CREATE TABLE results . support_measure (", "results.support_measure"),
    ],
)
def test_the_check_catches_a_generic_module_that_names_one(tmp_path, line, table):
    module = tmp_path / "tasks" / "report" / "sneaky.py"
    module.parent.mkdir(parents=True)
    module.write_text(f"x = 1\n{line}\n", encoding="utf-8")
    tables = set().union(*study_tables().values())
    assert offenders([module], tables, tmp_path) == [f"tasks/report/sneaky.py:2: {table}"]


def test_words_and_columns_are_not_table_names(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        'f["hypothesis"]\n"alternative hypothesis"\nresults.hypothesis_extra\n', "utf-8"
    )
    tables = set().union(*study_tables().values())
    assert offenders([module], tables, tmp_path) == []


def test_the_study_part_is_plugged_into_the_report():
    part = next(s.report for s in STUDIES if s.name == "khromtau_2024")
    assert build.PARTS["study"] == part.sections
    assert list(build.PARTS) == ["towns", "study", "data"]  # its part takes the analyses
    assert set(part.builders) <= set(build.BUILDERS)
    assert set(part.queries) <= set(build.QUERIES)
    assert build.SUMMARY_PART == "study"


def test_without_studies_the_generic_report_keeps_its_analyses():
    builders, parts, headlines, summary = build.compose(())
    assert list(parts) == ["towns", "analyses", "data"]
    assert "hypotheses" not in builders and "support" not in headlines
    assert summary == "analyses"
