"""``territories.csv``: one :class:`Territory` per row, each parent checked to exist and to
have the right kind."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.sources.taldau.registry._rows import (
    _as_mapping,
    _bool,
    _choice,
    _int,
    _ints,
    _kato,
    _numbered_rows,
    _text,
    _unique_rows,
)
from tasks.sources.taldau.registry.base import (
    CONFIDENCES,
    KINDS,
    LEVEL_OF_KIND,
    PARENT_KINDS,
    TERRITORIES_CSV,
    TaldauRegistryError,
)


@dataclass(frozen=True)
class Territory:
    """One row of ``territories.csv`` (or a town proper derived from ``towns.csv``)."""

    territory_id: str
    kind: str
    taldau_term_id: int | None = None
    taldau_dics: tuple[int, ...] = ()
    taldau_term_name: str = ""
    kato_code: str = ""
    parent_territory_id: str = ""
    name_ru: str = ""
    name_kk: str = ""
    name_en: str = ""
    valid_from: int | None = None
    valid_to: int | None = None
    confidence: str = ""
    confirmed: bool = False
    source: str = ""
    notes: str = ""
    #: the oblast a reform moved the territory from, and the last year it belonged there
    #: (Kurchatov: East Kazakhstan until 2021); one territory across the move
    former_parent_territory_id: str = ""
    former_parent_to: int | None = None

    def parent_in(self, year: int) -> str:
        """The parent's ``territory_id`` in ``year`` (the former parent up to the reform)."""
        to = self.former_parent_to
        if self.former_parent_territory_id and to is not None and year <= to:
            return self.former_parent_territory_id
        return self.parent_territory_id

    @property
    def level(self) -> str:
        """``republic``, ``oblast``, ``district`` (also city administrations) or ``town``."""
        return LEVEL_OF_KIND[self.kind]

    def valid_in(self, year: int) -> bool:
        """Whether the territory exists in ``year`` (open ends are unbounded)."""
        return (self.valid_from is None or year >= self.valid_from) and (
            self.valid_to is None or year <= self.valid_to
        )

    @classmethod
    def from_row(cls, row: Any, *, where: str | None = None) -> Territory:
        row = _as_mapping(row)
        tid = _text(row, "territory_id")
        where = where or f"territories.csv row {tid or '?'}"
        if not tid:
            raise TaldauRegistryError(f"{where}: column 'territory_id' is required")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", tid):
            raise TaldauRegistryError(
                f"{where}: column 'territory_id' = {tid!r} must be a lower-case slug"
            )
        kind = _choice(row, "kind", KINDS, where=where)
        dics = _ints(_text(row, "taldau_dics"), where=where, key="taldau_dics")
        allowed_dics = {67, 68} if kind in ("republic", "oblast") else {68}
        if not set(dics) <= allowed_dics:
            raise TaldauRegistryError(
                f"{where}: column 'taldau_dics' = {_text(row, 'taldau_dics')!r}: a {kind} is in "
                f"dictionaries {sorted(allowed_dics)} only"
            )
        valid_from = _int(row, "valid_from", required=False, where=where)
        valid_to = _int(row, "valid_to", required=False, where=where)
        if valid_from is not None and valid_to is not None and valid_from > valid_to:
            raise TaldauRegistryError(
                f"{where}: column 'valid_from' = {valid_from} is after valid_to = {valid_to}"
            )
        confidence = _choice(row, "confidence", CONFIDENCES, where=where)
        confirmed = _bool(row, "confirmed", where=where)
        term = _int(row, "taldau_term_id", required=False, where=where)
        former = _text(row, "former_parent_territory_id")
        former_to = _int(row, "former_parent_to", required=False, where=where)
        if bool(former) != (former_to is not None):
            raise TaldauRegistryError(
                f"{where}: columns 'former_parent_territory_id' = {former!r} and "
                f"'former_parent_to' = {former_to!r} go together"
            )
        if confirmed and (confidence != "high" or term is None):
            raise TaldauRegistryError(
                f"{where}: column 'confirmed' = 'yes' needs a term id with confidence 'high' "
                f"(got term {term}, confidence {confidence!r})"
            )
        return cls(
            territory_id=tid,
            kind=kind,
            taldau_term_id=term,
            taldau_dics=dics or tuple(sorted(allowed_dics)),
            taldau_term_name=_text(row, "taldau_term_name"),
            kato_code=_kato(row, "kato_code", where=where),
            parent_territory_id=_text(row, "parent_territory_id"),
            name_ru=_text(row, "name_ru"),
            name_kk=_text(row, "name_kk"),
            name_en=_text(row, "name_en"),
            valid_from=valid_from,
            valid_to=valid_to,
            confidence=confidence,
            confirmed=confirmed,
            source=_text(row, "source"),
            notes=_text(row, "notes"),
            former_parent_territory_id=former,
            former_parent_to=former_to,
        )


def _check_territories(items: Sequence[tuple[str, Territory]]) -> dict[str, Territory]:
    _unique_rows(items, "territory_id")
    _unique_rows(items, "taldau_term_id")
    by_id = {t.territory_id: t for _, t in items}
    for where, t in items:
        former = by_id.get(t.former_parent_territory_id)
        if t.former_parent_territory_id and (former is None or former.kind != "oblast"):
            raise TaldauRegistryError(
                f"{where}: column 'former_parent_territory_id' = "
                f"{t.former_parent_territory_id!r} is not an oblast of territories.csv"
            )
        wanted = PARENT_KINDS[t.kind]
        if not wanted:
            if t.parent_territory_id:
                raise TaldauRegistryError(
                    f"{where}: column 'parent_territory_id' = {t.parent_territory_id!r}: "
                    "the republic has no parent"
                )
            continue
        parent = by_id.get(t.parent_territory_id)
        if parent is None:
            raise TaldauRegistryError(
                f"{where}: column 'parent_territory_id' = {t.parent_territory_id!r} is not a "
                "territory_id of territories.csv"
            )
        if parent.kind not in wanted:
            raise TaldauRegistryError(
                f"{where}: column 'parent_territory_id' = {t.parent_territory_id!r} is a "
                f"{parent.kind}; a {t.kind}'s parent must be a {' or '.join(wanted)}"
            )
    return by_id


def load_territories(path: str | Path | None = None) -> dict[str, Territory]:
    """Read and check ``territories.csv`` (default: the bundled one), keyed by ``territory_id``."""
    path = Path(path) if path else TERRITORIES_CSV
    items = [(w, Territory.from_row(r, where=w)) for w, r in _numbered_rows(path, "territory_id")]
    return _check_territories(items)
