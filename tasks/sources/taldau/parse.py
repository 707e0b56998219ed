"""Pure parsers for Taldau responses (no network, no files).

Every parser takes the raw :class:`~tasks.sources.base.Payload` (or bytes plus the endpoint and
parameters, for error messages) and either returns typed data or raises
:class:`TaldauParseError` naming the endpoint and the parameters. Nothing is ever silently
turned into zero: a suppressed ``"x"`` stays ``suppressed``, an unreadable value stays
``unparseable`` with its raw text kept.

Quirks handled (see ``/work/shared/reference/taldau/README.md`` §2.2-2.3): values as strings,
``"x"`` (Latin or Cyrillic) = suppressed, comma decimals, a UTF-8 BOM, keys with stray spaces,
periods out of chronological order, territory names rewritten over time (we join on term ids
only), the year taken from the period date ``31.12.2020`` or an ``MMYYYY`` code. Decoding a body
and the small value parsers are in :mod:`tasks.sources.taldau.decode` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from schemas.inputs import (
    OBSERVATION_COLUMNS,
    OBSERVATION_DTYPES,
    VALUE_STATUSES,
    empty_observations,
)
from tasks.sources.base import Payload
from tasks.sources.taldau.archive import SOURCE
from tasks.sources.taldau.decode import (
    TaldauParseError,
    _split_ints,
    _to_int,
    _where,
    decode_json,
    is_json_body,
    parse_value,
    payload_json,
    raw_text,
    year_from_period,
)

ISSUE_TABLE = "core.observation"


# --------------------------------------------------------------------------------------------
# metadata endpoints


@dataclass(frozen=True)
class Segment:
    """One GetSegmentList entry: a combination of dictionaries with their root ("Всего") terms."""

    dic_ids: tuple[int, ...]
    term_ids: tuple[int, ...]
    names: str = ""
    idx: int | None = None

    @property
    def dics_param(self) -> str:
        """The ``dics``/``p_dicIds`` parameter: dictionary ids joined with commas."""
        return ",".join(str(d) for d in self.dic_ids)

    @property
    def terms_param(self) -> str:
        return ",".join(str(t) for t in self.term_ids)

    def expected_terms(self, territory_dic: int, territory_term: int) -> tuple[int, ...]:
        """Row terms for the territory's total: the roots, with the territory's root replaced."""
        pos = self.dic_ids.index(territory_dic)
        terms = list(self.term_ids)
        terms[pos] = int(territory_term)
        return tuple(terms)


@dataclass(frozen=True)
class PeriodInfo:
    """One GetIndexPeriods entry."""

    date_code: str  # MMYYYY, e.g. "122020"
    name: str
    date: str  # dd.mm.yyyy, e.g. "31.12.2020"
    date_id: str  # internal id for GetIndexData?dateIds= (not chronological)
    year: int | None


def parse_period_list(payload: Payload) -> list[dict]:
    """GetPeriodList -> ``[{"id": 7, "name": "Год"}, ...]``."""
    endpoint, params = _where(payload)
    data = payload_json(payload)
    if not isinstance(data, list) or not data:
        raise TaldauParseError(
            "expected a non-empty JSON list of period types", endpoint=endpoint, params=params
        )
    out = []
    for i, item in enumerate(data):
        pid = _to_int(item.get("id")) if isinstance(item, dict) else None
        if pid is None:
            raise TaldauParseError(
                f"item {i} has no integer 'id': {item!r}"[:200], endpoint=endpoint, params=params
            )
        out.append({"id": pid, "name": str(item.get("name", ""))})
    return out


def parse_segment_list(payload: Payload) -> list[Segment]:
    """GetSegmentList -> segments. Entries whose dic and term counts differ are skipped."""
    endpoint, params = _where(payload)
    data = payload_json(payload)
    if not isinstance(data, list):
        raise TaldauParseError(
            f"expected a JSON list of segments, got {type(data).__name__}",
            endpoint=endpoint,
            params=params,
        )
    if not data:
        raise TaldauParseError("empty segment list", endpoint=endpoint, params=params)
    segments = []
    for item in data:
        if not isinstance(item, dict):
            continue
        dics = _split_ints(item.get("dicId"))
        terms = _split_ints(item.get("termIds"))
        if not dics or not terms or len(dics) != len(terms):
            continue
        segments.append(
            Segment(
                dic_ids=tuple(dics),
                term_ids=tuple(terms),
                names=str(item.get("names") or ""),
                idx=_to_int(item.get("idx")),
            )
        )
    if not segments:
        raise TaldauParseError(
            "no segment with matching 'dicId' and 'termIds' lists",
            endpoint=endpoint,
            params=params,
        )
    return segments


def choose_segment(
    segments: Sequence[Segment], territory_dic: int, preferred_dics: Sequence[int] = ()
) -> Segment | None:
    """The segment to read: the registry's preferred dics if offered, else the smallest segment
    containing ``territory_dic`` (fewest breakdowns; first one on ties). ``None`` if none has it."""
    candidates = [s for s in segments if territory_dic in s.dic_ids]
    if not candidates:
        return None
    if preferred_dics:
        for s in candidates:
            if s.dic_ids == tuple(preferred_dics):
                return s
        for s in candidates:
            if set(s.dic_ids) == set(preferred_dics):
                return s
    return min(candidates, key=lambda s: len(s.dic_ids))


def parse_index_periods(payload: Payload) -> list[PeriodInfo]:
    """GetIndexPeriods -> periods (``dateList``/``periodNameList``/``datesToDraw``/``datesIds``)."""
    endpoint, params = _where(payload)
    data = payload_json(payload)
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        data = data[0]  # one public client sees the object wrapped in a list
    if not isinstance(data, dict):
        raise TaldauParseError(
            f"expected a JSON object with 'dateList'/'datesIds', got {type(data).__name__}",
            endpoint=endpoint,
            params=params,
        )
    codes = data.get("dateList")
    ids = data.get("datesIds")
    if not isinstance(codes, list) or not isinstance(ids, list) or len(codes) != len(ids):
        raise TaldauParseError(
            "'dateList' and 'datesIds' must be lists of the same length",
            endpoint=endpoint,
            params=params,
        )
    if not codes:
        raise TaldauParseError("no periods ('dateList' is empty)", endpoint=endpoint, params=params)
    names = data.get("periodNameList")
    dates = data.get("datesToDraw")
    names = names if isinstance(names, list) and len(names) == len(codes) else [""] * len(codes)
    dates = dates if isinstance(dates, list) and len(dates) == len(codes) else [""] * len(codes)
    out = []
    for code, name, date, did in zip(codes, names, dates, ids, strict=True):
        code_s, date_s = raw_text(code), raw_text(date)
        out.append(
            PeriodInfo(
                date_code=code_s,
                name=raw_text(name),
                date=date_s,
                date_id=raw_text(did),
                year=year_from_period(date_s, None) or year_from_period(code_s, raw_text(name)),
            )
        )
    return out


def parse_index_attributes(payload: Payload) -> dict:
    """GetIndexAttributes -> ``{"id", "name", "measureName", "decFormat", "path", ...}``."""
    endpoint, params = _where(payload)
    data = payload_json(payload)
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        data = data[0]
    if not isinstance(data, dict) or not data:
        raise TaldauParseError(
            "expected a non-empty JSON object of indicator attributes",
            endpoint=endpoint,
            params=params,
        )
    return data


# --------------------------------------------------------------------------------------------
# GetIndexData -> observation frame


def quality_issue(
    check: str, severity: str, row_key: str, observed: str, message: str, table: str = ISSUE_TABLE
) -> dict:
    """One quality issue, shaped for ``meta.quality_issue``."""
    if severity not in ("error", "warning"):
        raise ValueError(f"severity must be error|warning, got {severity!r}")
    return {
        "source": SOURCE,
        "table": table,
        "row_key": row_key,
        "check": check,
        "severity": severity,
        "observed": observed,
        "message": message,
    }


def index_data_rows(payload: Payload) -> list[dict]:
    """Validate the GetIndexData shape: a non-empty list of ``{terms: [...], periods: [...]}``."""
    endpoint, params = _where(payload)
    data = payload_json(payload)
    if not isinstance(data, list):
        raise TaldauParseError(
            f"expected a JSON list of rows, got {type(data).__name__}",
            endpoint=endpoint,
            params=params,
        )
    if not data:
        raise TaldauParseError("empty list (no rows)", endpoint=endpoint, params=params)
    rows = []
    for i, row in enumerate(data):
        if not isinstance(row, dict) or "terms" not in row or "periods" not in row:
            raise TaldauParseError(
                f"row {i} is not an object with 'terms' and 'periods': {row!r}"[:300],
                endpoint=endpoint,
                params=params,
            )
        terms = _split_ints(row["terms"])
        if terms is None:
            raise TaldauParseError(
                f"row {i}: 'terms' is not a list of integer ids: {row['terms']!r}"[:300],
                endpoint=endpoint,
                params=params,
            )
        periods = row["periods"]
        if not isinstance(periods, list) or not all(isinstance(p, dict) for p in periods):
            raise TaldauParseError(
                f"row {i}: 'periods' is not a list of objects",
                endpoint=endpoint,
                params=params,
            )
        rows.append({**row, "terms": terms})
    return rows


def parse_index_data(
    payload: Payload,
    *,
    town_id: str,
    indicator_id: str,
    expected_terms: Sequence[int],
    unit: str = "",
    note: str = "",
    years: Iterable[int] | None = None,
    scale: float = 1.0,
) -> tuple[pd.DataFrame, list[dict]]:
    """GetIndexData -> (observation frame, quality issues) for one town and one indicator.

    ``scale`` converts Taldau's unit to ours (``value = parsed * scale``, done in decimal so
    ``0.7`` thousand gives exactly ``700``); ``raw_value`` always keeps the text as received.

    Keeps only the rows whose ``terms`` equal ``expected_terms`` exactly (territory term at its
    dictionary's position, the "Всего" roots elsewhere); names (``termNames``) are never used.
    One output row per year, sorted by year. If no row matches, the frame is empty and an
    ``error`` issue ``territory_not_in_response`` is returned.
    """
    endpoint, params = _where(payload)
    rows = index_data_rows(payload)
    expected = tuple(int(t) for t in expected_terms)
    wanted = {int(y) for y in years} if years is not None else None
    index_id = endpoint.split("/", 1)[1] if "/" in endpoint else endpoint
    records: list[dict] = []
    issues: list[dict] = []
    seen: dict[int, dict] = {}
    matched = 0
    for i, row in enumerate(rows):
        if tuple(row["terms"]) != expected:
            continue
        matched += 1
        terms_txt = ",".join(str(t) for t in row["terms"])
        source_ref = (
            f"taldau {index_id} period={params.get('period', '')} "
            f"dics={params.get('dics', '')} terms={terms_txt}"
        )
        for period in row["periods"]:
            date, name = period.get("date"), period.get("name")
            label = raw_text(date) or raw_text(name)
            row_ref = f"{endpoint} row {i} period {label}"
            year = year_from_period(date, name)
            if year is None:
                issues.append(
                    quality_issue(
                        "unparseable_period",
                        "error",
                        f"{town_id}/{indicator_id}/?",
                        label,
                        f"{row_ref}: cannot read a year from the period; skipped",
                    )
                )
                continue
            if wanted is not None and year not in wanted:
                continue
            raw = period.get("value")
            value, status, value_note = parse_value(raw)
            if status == "ok" and scale != 1:
                value = float(Decimal(repr(value)) * Decimal(repr(float(scale))))
            row_key = f"{town_id}/{indicator_id}/{year}"
            if year in seen:
                first = seen[year]
                if first["raw_value"] != raw_text(raw):
                    issues.append(
                        quality_issue(
                            "duplicate_period",
                            "error",
                            row_key,
                            raw_text(raw),
                            f"{row_ref}: second value for {year} differs from "
                            f"{first['row_ref']} ({first['raw_value']!r}); kept the first",
                        )
                    )
                continue
            record = {
                "territory_id": town_id,  # the fetched territory (TerritoryPair.as_town)
                "indicator_id": indicator_id,
                "year": year,
                "value": value,
                "value_status": status,
                "raw_value": raw_text(raw),
                "unit": unit,
                "source": SOURCE,
                "source_ref": source_ref,
                "note": "; ".join(n for n in (note, value_note) if n),
                "vintage": payload.fetched_at,
                "payload_hash": payload.content_hash,
                "row_ref": row_ref,
            }
            seen[year] = record
            records.append(record)
            if status in ("suppressed", "unparseable"):
                issues.append(
                    quality_issue(
                        f"value_{status}",
                        "warning",
                        row_key,
                        raw_text(raw),
                        f"{row_ref}: value {raw_text(raw)!r} is {status}"
                        + (f" ({value_note})" if value_note else ""),
                    )
                )
    if matched == 0:
        issues.append(
            quality_issue(
                "territory_not_in_response",
                "error",
                f"{town_id}/{indicator_id}",
                ",".join(str(t) for t in expected),
                f"{endpoint} params={dict(sorted(params.items()))}: no row with terms "
                f"{list(expected)} among {len(rows)} rows",
            )
        )
    if wanted is not None:
        missing_years = sorted(wanted - set(seen))
        if matched and missing_years:
            issues.append(
                quality_issue(
                    "year_not_in_response",
                    "warning",
                    f"{town_id}/{indicator_id}",
                    ",".join(map(str, missing_years)),
                    f"{endpoint}: requested years absent from the response: {missing_years}",
                )
            )
    if not records:
        return empty_observations(), issues
    frame = pd.DataFrame.from_records(records, columns=list(OBSERVATION_COLUMNS))
    frame = frame.astype(OBSERVATION_DTYPES).sort_values("year", kind="stable")
    return frame.reset_index(drop=True), issues


def territories_in_index_data(
    payload: Payload, territory_pos: int, root_terms: Sequence[int]
) -> pd.DataFrame:
    """Distinct territory terms of a GetIndexData body (other terms at their roots), with names.

    A helper for humans filling ``towns.csv``; names are shown for reading, never joined on.
    """
    pos = territory_pos
    roots = [int(t) for t in root_terms]
    out: dict[int, str] = {}
    for row in index_data_rows(payload):
        terms = list(row["terms"])
        if (
            len(terms) != len(roots)
            or terms[:pos] + terms[pos + 1 :] != roots[:pos] + roots[pos + 1 :]
        ):
            continue
        names = row.get("termNames")
        name = names[pos] if isinstance(names, list) and len(names) > pos else ""
        out.setdefault(terms[pos], raw_text(name))
    frame = pd.DataFrame({"term_id": list(out), "term_name": list(out.values())})
    return frame.astype({"term_id": "int64", "term_name": "str"})


__all__ = [
    "OBSERVATION_COLUMNS",
    "OBSERVATION_DTYPES",
    "VALUE_STATUSES",
    "TaldauParseError",
    "decode_json",
    "empty_observations",
    "is_json_body",
    "parse_index_data",
    "parse_value",
    "payload_json",
    "raw_text",
    "year_from_period",
]
