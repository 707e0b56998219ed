"""The study's texts are data (texts.yaml); its printed figures are read from published.csv."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

from tasks.studies.khromtau_2024 import texts

PACKAGE = Path(texts.__file__).parent


def _published() -> list[dict[str, str]]:
    with (PACKAGE / "data" / "published.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _strings(path: Path) -> str:
    """Every string constant of a module except docstrings and comments."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return " ".join(
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    )


def test_printed_reads_published_csv():
    assert texts.printed("Table 6", "pearson_r") == "0.81252605"
    assert texts.printed("Table 6", "spearman_rho", "printed_formula") == "CORREL(C2:C21;D2:D21)"


def test_no_printed_figure_or_formula_is_repeated_in_texts_or_code():
    yaml_text = (PACKAGE / "texts.yaml").read_text(encoding="utf-8")
    code = {p.name: _strings(p) for p in PACKAGE.glob("*.py") if p.name != "texts.py"}
    # long figures only: short ones (5, 21, 50) are counts that also stand in prose
    figures = {r["published"] for r in _published() if len(r["published"]) >= 6}
    formulas = {r["printed_formula"] for r in _published() if "(" in r["printed_formula"]}
    for needle in figures | formulas:
        assert needle not in yaml_text, needle
        for name, strings in code.items():
            assert needle not in strings, (name, needle)


def test_every_text_the_code_names_exists():
    data = texts.texts()
    for p in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "text"
                and len(node.args) >= 2
                and all(isinstance(a, ast.Constant) for a in node.args[:2])
            ):
                section, key = node.args[0].value, node.args[1].value
                assert key in data[section], f"{p.name}: {section}.{key}"
