"""Fetching from Taldau: :func:`fetch_indicator`, the recommended call sequence for one
(indicator, town), and the package's API (re-exported by ``tasks/sources/taldau/__init__.py``).

See ``docs/taldau.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from schemas.inputs import OBSERVATION_COLUMNS, OBSERVATION_DTYPES
from tasks.sources.base import Payload
from tasks.sources.taldau.archive import (
    RequestArchive,
    TaldauError,
    TaldauNotArchivedError,
    request_hash,
)
from tasks.sources.taldau.client import DEFAULT_BASE_URL, TaldauClient
from tasks.sources.taldau.parse import (
    Segment,
    TaldauParseError,
    choose_segment,
    empty_observations,
    parse_index_attributes,
    parse_index_data,
    parse_index_periods,
    parse_segment_list,
    quality_issue,
    territories_in_index_data,
)
from tasks.sources.taldau.registry import (
    Indicator,
    TaldauRegistryError,
    Town,
    load_indicators,
    load_towns,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "OBSERVATION_COLUMNS",
    "OBSERVATION_DTYPES",
    "Indicator",
    "RequestArchive",
    "SkippedPair",
    "TaldauClient",
    "TaldauDataError",
    "TaldauError",
    "TaldauNotArchivedError",
    "TaldauParseError",
    "TaldauRegistryError",
    "Town",
    "fetch_indicator",
    "list_territories",
    "load_indicators",
    "load_towns",
    "plan_pairs",
    "request_hash",
]


class TaldauDataError(TaldauError):
    """The responses are well-formed but do not hold what the registry asks for
    (no segment with the territory dictionary, no row for the territory term)."""


_UNIT_WORDS = (
    (r"тысяч\w*", "тыс"),
    (r"миллиард\w*", "млрд"),
    (r"миллион\w*", "млн"),
    (r"человек\w*", "чел"),
)


def _norm_unit(text: str) -> str:
    """Unit text reduced for comparison: ``"тысяч человек"`` == ``"тыс. чел."``."""
    text = text.lower().replace("ё", "е")
    for pattern, short in _UNIT_WORDS:
        text = re.sub(pattern, short, text)
    return "".join(ch for ch in text if ch.isalnum() or ch == "%")


def _select_segment(client: TaldauClient, ind: Indicator, payloads: list[Payload]) -> Segment:
    payload = client.get_segment_list(ind.taldau_index_id, ind.period_id)
    payloads.append(payload)
    segments = parse_segment_list(payload)
    segment = choose_segment(segments, ind.territory_dic, ind.dics)
    if segment is None:
        offered = "; ".join("+".join(map(str, s.dic_ids)) for s in segments)
        raise TaldauDataError(
            f"Taldau GetSegmentList indexId={ind.taldau_index_id} periodId={ind.period_id}: "
            f"no segment contains dictionary {ind.territory_dic} "
            f"({ind.territory_level} level) for {ind.indicator_id}; offered: {offered}",
            endpoint="GetSegmentList",
            params={"indexId": ind.taldau_index_id, "periodId": ind.period_id},
        )
    return segment


def fetch_indicator(
    client: TaldauClient,
    indicator_row: Any,
    town_row: Any,
    years: Iterable[int] | None = None,
) -> tuple[list[Payload], pd.DataFrame, list[dict]]:
    """Fetch one indicator for one town: ``(payloads, observation frame, quality issues)``.

    Sequence: GetIndexAttributes (unit; optional) -> GetSegmentList (the segment holding the
    registry's territory dictionary) -> GetIndexPeriods (``datesIds`` of the wanted years;
    optional) -> GetIndexData, keeping the row whose terms are the town's territory term plus the
    "Всего" roots of the other dictionaries.

    ``indicator_row``/``town_row`` are :class:`Indicator`/:class:`Town` or CSV-like mappings.
    Raises :class:`TaldauRegistryError` (no term id for the town at that level),
    :class:`TaldauError` (network), :class:`TaldauParseError` (malformed body) or
    :class:`TaldauDataError`; the payloads already received are on the exception's ``payloads``.
    """
    ind = Indicator.coerce(indicator_row)
    town = Town.coerce(town_row)
    wanted = sorted({int(y) for y in years}) if years is not None else None
    term = town.territory_term(ind.territory_dic)
    if term is None:
        column = "taldau_term_id" if ind.territory_dic == 68 else "oblast_term_id"
        raise TaldauRegistryError(
            f"town {town.town_id!r} has no Taldau dic-{ind.territory_dic} term "
            f"({ind.territory_level} level, towns.csv column {column}) needed by "
            f"{ind.indicator_id} (index {ind.taldau_index_id})"
        )
    payloads: list[Payload] = []
    issues: list[dict] = []
    key = f"{town.town_id}/{ind.indicator_id}"
    try:
        # 1. attributes: the unit check; if unavailable the fetch goes on, with a warning
        try:
            attrs_payload = client.get_index_attributes(ind.taldau_index_id)
            payloads.append(attrs_payload)
            taldau_unit = str(parse_index_attributes(attrs_payload).get("measureName") or "")
        except TaldauError as exc:
            taldau_unit = ""
            issues.append(
                quality_issue(
                    "unit_unchecked",
                    "warning",
                    key,
                    ind.taldau_unit,
                    f"GetIndexAttributes unavailable, unit assumed {ind.taldau_unit!r}: {exc}",
                )
            )
        if (
            ind.taldau_unit
            and taldau_unit
            and _norm_unit(ind.taldau_unit) != _norm_unit(taldau_unit)
        ):
            raise TaldauDataError(
                f"Taldau GetIndexAttributes indexId={ind.taldau_index_id}: measureName "
                f"{taldau_unit!r} differs from the registry's taldau_unit {ind.taldau_unit!r} "
                f"(scale {ind.scale:g} to {ind.unit!r}) for {ind.indicator_id}; "
                "fix taldau_unit/scale in indicators.csv (the unit is the catalogue's)",
                endpoint="GetIndexAttributes",
                params={"indexId": ind.taldau_index_id},
            )
        unit = ind.unit or taldau_unit
        note = town.territory_note(ind.territory_dic)
        if ind.scale != 1:
            note += f"; converted from Taldau {ind.taldau_unit or 'unit'} x {ind.scale:g} to {unit}"

        # 2. segment
        segment = _select_segment(client, ind, payloads)

        # 3. periods -> dateIds (optional: without them GetIndexData is asked for all dates)
        date_ids: list[str] | None = None
        try:
            periods_payload = client.get_index_periods(
                ind.taldau_index_id,
                ind.period_id,
                segment.term_ids,
                segment.dic_ids,
                measure_id=ind.measure_id,
            )
            payloads.append(periods_payload)
            periods = parse_index_periods(periods_payload)
            chosen = [p for p in periods if wanted is None or p.year in wanted]
            if not chosen:
                issues.append(
                    quality_issue(
                        "no_periods_in_range",
                        "warning",
                        key,
                        ",".join(str(p.year) for p in periods),
                        f"index {ind.taldau_index_id} has no period in the requested years "
                        f"{wanted}",
                    )
                )
                return payloads, empty_observations(), issues
            date_ids = [p.date_id for p in chosen]
        except TaldauError as exc:
            issues.append(
                quality_issue(
                    "periods_unavailable",
                    "warning",
                    key,
                    "",
                    f"{exc}; GetIndexData asked without dateIds",
                )
            )

        # 4. data
        data_payload = client.get_index_data(
            ind.taldau_index_id, ind.period_id, segment.dic_ids, date_ids
        )
        payloads.append(data_payload)
        frame, data_issues = parse_index_data(
            data_payload,
            town_id=town.town_id,
            indicator_id=ind.indicator_id,
            expected_terms=segment.expected_terms(ind.territory_dic, term),
            unit=unit,
            note=note,
            years=wanted,
            scale=ind.scale,
        )
        missing = [i for i in data_issues if i["check"] == "territory_not_in_response"]
        if missing:
            raise TaldauDataError(
                f"{missing[0]['message']} (town {town.town_id}, indicator {ind.indicator_id}): "
                "check the term id in towns.csv",
                endpoint=str(data_payload.meta.get("endpoint", "GetIndexData")),
                params=data_payload.meta.get("params"),
            )
        issues.extend(data_issues)
        return payloads, frame, issues
    except TaldauError as exc:
        exc.payloads = payloads + exc.payloads  # what was received before the failure, then its own
        raise


@dataclass(frozen=True)
class SkippedPair:
    """An (indicator, town) pair not fetched: the town has no Taldau term at that level."""

    indicator_id: str
    town_id: str
    message: str

    @property
    def key(self) -> str:
        return f"{self.town_id}/{self.indicator_id}"


def plan_pairs(
    indicators: Sequence[Indicator], towns: Sequence[Town]
) -> tuple[list[tuple[Indicator, Town]], list[SkippedPair]]:
    """Every (indicator, town) pair to fetch, and those skipped because the town has no Taldau
    term at the indicator's territory level (reported, never fetched)."""
    pairs: list[tuple[Indicator, Town]] = []
    skipped: list[SkippedPair] = []
    for ind in indicators:
        for town in towns:
            if town.territory_term(ind.territory_dic) is None:
                column = "taldau_term_id" if ind.territory_dic == 68 else "oblast_term_id"
                skipped.append(
                    SkippedPair(
                        ind.indicator_id,
                        town.town_id,
                        f"town {town.town_id!r} has no Taldau dic-{ind.territory_dic} term "
                        f"(towns.csv column {column}); {ind.indicator_id} not fetched",
                    )
                )
            else:
                pairs.append((ind, town))
    return pairs, skipped


def list_territories(client: TaldauClient, indicator_row: Any) -> pd.DataFrame:
    """Territory terms (id + name as received) that an indicator reports, at its territory level.

    A one-indicator look-up for checking a term id by hand; ``monotowns taldau discover`` is
    what fills the registry (``territories.csv``, ``towns.csv``). Never used for joining.
    """
    ind = Indicator.coerce(indicator_row)
    payloads: list[Payload] = []
    segment = _select_segment(client, ind, payloads)
    data = client.get_index_data(ind.taldau_index_id, ind.period_id, segment.dic_ids)
    pos = segment.dic_ids.index(ind.territory_dic)
    return territories_in_index_data(data, pos, segment.term_ids)
