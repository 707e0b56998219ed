"""The report's message catalogue: every key the code asks for exists in messages/en.yaml."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from tasks.report import i18n
from warehouse.plugins import study_dirs

REPORT = Path(i18n.__file__).resolve().parent


def _literal_keys() -> set[str]:
    """First arguments of ``t("...")`` / ``tm("...")`` calls in tasks/report, the studies'
    report modules and the template."""
    keys: set[str] = set()
    studies = [p for d in study_dirs().values() for p in (d / "report").rglob("*.py")]
    for path in [*REPORT.rglob("*.py"), *studies]:
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


def _placeholders(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def _languages() -> list[str]:
    folder = REPORT / "messages"
    return sorted(p.stem for p in folder.glob("*.yaml") if "_" not in p.stem)


def test_languages_shipped():
    assert _languages() == ["en", "ru"]


@pytest.mark.parametrize("lang", [x for x in _languages() if x != "en"])
def test_translations_have_every_key_and_placeholder(lang):
    en, other = i18n.catalogue("en"), i18n.catalogue(lang)
    assert other["lang"] == lang
    missing, extra = sorted(set(en) - set(other)), sorted(set(other) - set(en))
    assert not missing, f"add to messages/{lang}.yaml: {missing}"
    assert not extra, f"not in messages/en.yaml: {extra}"
    wrong = {
        k: (_placeholders(en[k]), _placeholders(other[k]))
        for k in en
        if _placeholders(en[k]) != _placeholders(other[k])
    }
    assert not wrong, f"placeholders differ (en, {lang}): {wrong}"


def test_russian_catalogue_is_russian():
    """Every Russian text with letters has Cyrillic, except identifiers, units and symbols."""
    ru = i18n.catalogue("ru")
    latin_ok = {  # the same in both languages: names of tables, formats, symbols
        "lang",
        "report.png",
        "report.svg",
        "source.survey_mode",
        "headline.hypotheses_rest",
        "headline.quality_value",
        "charts.perception.tick",
        "charts.correlation.tick",
        "charts.correlation.p",
    }
    bad = [
        k
        for k, v in ru.items()
        if k not in latin_ok
        and re.search("[A-Za-z]{3,}", re.sub(r"\{\w+\}|[a-z_]+\.[a-z_.]+|`[^`]*`", "", v))
        and not re.search("[А-Яа-яЁё]", v)
    ]
    assert not bad, bad


def test_value_labels():
    with i18n.language("ru"):
        assert i18n.value_label("status", "not supported") == "не подтверждена"
        assert i18n.value_label("territory_kind", "town") == "город (без подчинённых сёл)"
        assert i18n.value_label("status", "brand_new") == "brand new"  # unknown: as it is
    assert i18n.value_label("status", "not_reproducible") == "not reproducible"
    assert i18n.value_label("territory_kind", "city_administration") == "city administration"


def test_a_key_defined_by_a_study_and_the_report_is_an_error(tmp_path):
    study = tmp_path / "en.yaml"
    study.write_text("sections:\n  grp:\n    title: Twice\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"en\.yaml: message key 'sections\.grp\.title'"):
        i18n.merge_files(i18n.catalogue("en"), [study], "message")


def test_the_studies_text_is_in_the_catalogue():
    assert i18n.catalogue("en")["report.part.study.title"] == "Khromtau study (2024)"
    assert i18n.catalogue("ru")["sections.hypotheses.title"]
