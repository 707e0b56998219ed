"""The one indicator catalogue: every indicator once, as data (``indicators.yaml``).

Each entry says what an indicator *is*: its id, names in Russian, Kazakh and English, its project
unit, topic, a one-line definition (en, ru), what it is comparable as and who defines it. From it
come ``core.indicator`` (:func:`indicator_frame`), the report's indicator and unit labels
(:func:`tasks.report.labels.indicator_name`, ``unit_label``) and ``docs/indicators.md``
(:mod:`tasks.catalogue.docs`). Sources only map *their* rows onto catalogue ids
(:func:`require_ids` rejects a mapping to an unknown id).

The file is validated when it is read: a missing field or language, an unknown unit, topic or
``comparable_as``, or a duplicate id is a :class:`ValueError` naming the entry and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

CATALOGUE_YAML = Path(__file__).resolve().parent / "indicators.yaml"
#: How the file is named in messages and in ``batch.files`` (relative to the checkout).
CATALOGUE_LABEL = "tasks/catalogue/indicators.yaml"

COMPARABLE_AS = ("level", "rate", "per_capita", "index", "share")
NAME_LANGS = ("ru", "kk", "en")
DEFINITION_LANGS = ("en", "ru")
UNIT_LANGS = ("en", "ru", "kk")
REQUIRED = ("id", "name", "unit", "topic", "definition", "comparable_as", "provenance")
OPTIONAL = ("note",)
#: ``core.indicator``'s columns, in the table's order.
CORE_COLUMNS = ("indicator_id", "name", "unit", "topic", "description")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Unit:
    """A project unit (the unit stored with every value) and its labels."""

    id: str
    en: str
    ru: str
    kk: str

    def label(self, lang: str = "en") -> str:
        return getattr(self, lang, "") or self.en


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry."""

    id: str
    name_ru: str
    name_kk: str
    name_en: str
    unit: str
    topic: str
    definition_en: str
    definition_ru: str
    comparable_as: str
    provenance: str
    note: str = ""

    def name(self, lang: str = "en") -> str:
        """The name in ``lang`` (``ru``, ``kk`` or ``en``; English for any other)."""
        return getattr(self, f"name_{lang}", "") or self.name_en

    def definition(self, lang: str = "en") -> str:
        """The one-line definition in ``lang`` (``en`` or ``ru``; English for any other)."""
        return getattr(self, f"definition_{lang}", "") or self.definition_en

    @property
    def description(self) -> str:
        """``core.indicator.description``: the English definition, then the note if any."""
        return f"{self.definition_en} {self.note}".strip()


@dataclass(frozen=True)
class Catalogue:
    """The whole file: topics, units and indicators (in file order)."""

    topics: tuple[str, ...]
    units: dict[str, Unit]
    indicators: dict[str, Indicator]


def _fail(where: str, field: str, rule: str) -> ValueError:
    return ValueError(f"{where}: field {field!r} {rule}")


def _text(entry: Mapping[str, Any], key: str, where: str, field: str | None = None) -> str:
    value = entry.get(key)
    field = field or key
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _fail(where, field, "is missing or empty")
    if not isinstance(value, str):
        raise _fail(where, field, f"must be text, got {value!r}")
    if "\n" in value.strip():
        raise _fail(where, field, "must be one line")
    return value.strip()


def _langs(entry: Mapping[str, Any], key: str, langs: Iterable[str], where: str) -> dict[str, str]:
    value = entry.get(key)
    if not isinstance(value, Mapping):
        raise _fail(where, key, f"must map each of {', '.join(langs)} to a text")
    extra = sorted(set(value) - set(langs))
    if extra:
        raise _fail(where, key, f"has unknown language(s) {extra}; allowed: {', '.join(langs)}")
    return {lang: _text(value, lang, where, f"{key}.{lang}") for lang in langs}


def _units(raw: Any, where: str) -> dict[str, Unit]:
    if not isinstance(raw, Mapping) or not raw:
        raise _fail(where, "units", "must map each unit to its labels")
    out = {}
    for uid, labels in raw.items():
        labels = _langs({"units": labels}, "units", UNIT_LANGS, f"{where}: unit {uid!r}")
        out[str(uid)] = Unit(str(uid), **labels)
    return out


def _indicator(entry: Any, where: str, topics: tuple[str, ...], units: Mapping) -> Indicator:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: must be a mapping of {', '.join(REQUIRED)}")
    iid = entry.get("id")
    where = f"{where} (id {iid!r})" if iid else where
    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise _fail(where, unknown[0], f"is not a catalogue field ({', '.join(REQUIRED)}, note)")
    iid = _text(entry, "id", where)
    if not _ID.match(iid):
        raise _fail(where, "id", f"= {iid!r} must be snake_case (a-z, 0-9, _)")
    names = _langs(entry, "name", NAME_LANGS, where)
    definitions = _langs(entry, "definition", DEFINITION_LANGS, where)
    unit = _text(entry, "unit", where)
    if unit not in units:
        raise _fail(where, "unit", f"= {unit!r} is not one of the units: {', '.join(units)}")
    topic = _text(entry, "topic", where)
    if topic not in topics:
        raise _fail(where, "topic", f"= {topic!r} is not one of the topics: {', '.join(topics)}")
    comparable = _text(entry, "comparable_as", where)
    if comparable not in COMPARABLE_AS:
        raise _fail(where, "comparable_as", f"= {comparable!r} is not one of {COMPARABLE_AS}")
    note = _text(entry, "note", where) if entry.get("note") is not None else ""
    return Indicator(
        id=iid,
        name_ru=names["ru"],
        name_kk=names["kk"],
        name_en=names["en"],
        unit=unit,
        topic=topic,
        definition_en=definitions["en"],
        definition_ru=definitions["ru"],
        comparable_as=comparable,
        provenance=_text(entry, "provenance", where),
        note=note,
    )


def parse_catalogue(data: Any, where: str = CATALOGUE_LABEL) -> Catalogue:
    """Validate the parsed YAML ``data``; ``where`` names the file in errors."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: must be a mapping with topics, units and indicators")
    topics = data.get("topics")
    if not isinstance(topics, list) or not topics or not all(isinstance(t, str) for t in topics):
        raise _fail(where, "topics", "must be a list of topic names")
    units = _units(data.get("units"), where)
    entries = data.get("indicators")
    if not isinstance(entries, list) or not entries:
        raise _fail(where, "indicators", "must be a list of entries")
    indicators: dict[str, Indicator] = {}
    for n, entry in enumerate(entries, start=1):
        ind = _indicator(entry, f"{where}: indicators entry {n}", tuple(topics), units)
        if ind.id in indicators:
            raise _fail(f"{where}: indicators entry {n} (id {ind.id!r})", "id", "is a duplicate")
        indicators[ind.id] = ind
    return Catalogue(tuple(topics), units, indicators)


@cache
def read_catalogue(path: str | Path = CATALOGUE_YAML) -> Catalogue:
    """Read and validate the catalogue file (cached per path)."""
    path = Path(path)
    where = CATALOGUE_LABEL if path == CATALOGUE_YAML else str(path)
    with open(path, encoding="utf-8") as fh:
        try:
            data = yaml.safe_load(fh)
        except yaml.YAMLError as exc:
            raise ValueError(f"{where}: not valid YAML: {exc}") from exc
    return parse_catalogue(data, where)


def load_catalogue(path: str | Path = CATALOGUE_YAML) -> dict[str, Indicator]:
    """Every indicator by id, in file order (cached; validated on first read)."""
    return read_catalogue(path).indicators


def load_units(path: str | Path = CATALOGUE_YAML) -> dict[str, Unit]:
    """Every project unit by id (``persons``, ``mln KZT``, ...)."""
    return read_catalogue(path).units


def unit_label(unit: str, lang: str = "en") -> str | None:
    """The label of a project unit in ``lang``; None for a unit the catalogue does not list."""
    u = load_units().get(unit)
    return u.label(lang) if u else None


def require_ids(ids: Iterable[str], where: str) -> None:
    """Raise ValueError naming ``where`` if any of ``ids`` is not a catalogue id."""
    known = load_catalogue()
    missing = sorted({str(i) for i in ids} - set(known))
    if missing:
        raise ValueError(
            f"{where}: indicator id(s) {', '.join(missing)} are not in {CATALOGUE_LABEL}; "
            "add an entry there first (adding an indicator = one catalogue entry + the mapping "
            "line of each source that carries it)"
        )


def indicator_frame(ids: Iterable[str] | None = None) -> pd.DataFrame:
    """``core.indicator`` rows (English name, unit, topic, description) of ``ids`` (default:
    every catalogue entry), in catalogue order."""
    cat = load_catalogue()
    wanted = None if ids is None else set(ids)
    if wanted is not None:
        require_ids(wanted, "core.indicator")
    rows = [
        (i.id, i.name_en, i.unit, i.topic, i.description)
        for i in cat.values()
        if wanted is None or i.id in wanted
    ]
    return pd.DataFrame(rows, columns=list(CORE_COLUMNS), dtype=object)


__all__ = [
    "CATALOGUE_LABEL",
    "CATALOGUE_YAML",
    "COMPARABLE_AS",
    "Catalogue",
    "Indicator",
    "Unit",
    "indicator_frame",
    "load_catalogue",
    "load_units",
    "parse_catalogue",
    "read_catalogue",
    "require_ids",
    "unit_label",
]
