"""The report's message catalogue: every key the code asks for exists in messages/en.yaml."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tasks.report import i18n

REPORT = Path(i18n.__file__).resolve().parent


def _literal_keys() -> set[str]:
    """First arguments of ``t("...")`` / ``tm("...")`` calls in tasks/report and its template."""
    keys: set[str] = set()
    for path in REPORT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"t", "tm"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                keys.add(node.args[0].value)
    template = (REPORT / "templates" / "report.html.j2").read_text(encoding="utf-8")
    for quote in ('"', "'"):
        for fn in ("t(", "tm("):
            for part in template.split(fn + quote)[1:]:
                keys.add(part.split(quote, 1)[0])
    return keys


def test_every_key_used_exists():
    keys = _literal_keys()
    assert len(keys) > 100
    missing = sorted(keys - set(i18n.catalogue("en")))
    assert not missing, f"add to tasks/report/messages/en.yaml: {missing}"


def test_catalogue_is_flat_text():
    cat = i18n.catalogue("en")
    assert cat["lang"] == "en"
    assert all(isinstance(v, str) for v in cat.values())
    assert i18n.t("sections.grp.caption", town="Khromtau") == (
        "GRP of Khromtau, mln KZT (results.grp_by_year)"
    )


def test_unknown_language_fails_before_writing():
    with pytest.raises(FileNotFoundError), i18n.language("xx"):
        pass
    assert i18n.current_language() == "en"
