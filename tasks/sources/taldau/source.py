"""The Taldau :class:`~tasks.sources.base.Source`: one fetch per (indicator, territory) pair.

The plan is :func:`~.registry.plan_territory_pairs`: every (indicator, territory) pair the
registry allows for the selected towns, a territory shared by several towns fetched once (the
oblast of all Karaganda towns, the district of Altai and Serebryansk). Each value is stored
against its territory (``territory_id``), matched on term ids, never against a town.

The HTTP client (:class:`~.client.TaldauClient`) retries transient HTTP errors with backoff and
keeps every response in the raw archive (offline replay, same-day cache). A pair whose fetch
still fails comes back as a :class:`~tasks.sources.base.Fetched` with a ``fetch_failed`` error,
so the other pairs load and the run ends ``partial``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from schemas.inputs import OBSERVATION_DTYPES, empty_observations
from tasks.catalogue import indicator_frame
from tasks.parse import Issue
from tasks.sources.base import Batch, Fetched, Payload, SourceError, unique_payloads
from tasks.sources.taldau.archive import SOURCE
from tasks.sources.taldau.fetch import (
    TaldauClient,
    TaldauError,
    fetch_indicator,
    load_indicators,
    load_towns,
)
from tasks.sources.taldau.registry import (
    Indicator,
    Registry,
    TerritoryPair,
    Town,
    load_registry,
    plan_territory_pairs,
)
from tasks.validate import validate_parsed_observations


def as_issue(d: Mapping[str, Any]) -> Issue:
    """A parser finding (``quality_issue`` dict) as the one :class:`~tasks.parse.Issue` type."""
    return Issue(
        source=SOURCE,
        table_name=str(d.get("table") or "core.observation"),
        check_name=str(d["check"]),
        severity=str(d["severity"]),
        message=str(d["message"]),
        row_key=d.get("row_key"),
        observed=None if d.get("observed") is None else str(d.get("observed")),
    )


def selected(options: Mapping[str, Any]) -> tuple[list[Indicator], list[Town]]:
    """The registry's indicators and towns, restricted by ``indicators``/``towns`` ids."""
    indicators = load_indicators(options.get("taldau_indicators"))
    towns = load_towns(options.get("taldau_towns"))
    if options.get("indicators"):
        indicators = [i for i in indicators if i.indicator_id in options["indicators"]]
    if options.get("towns"):
        towns = [t for t in towns if t.town_id in options["towns"]]
    return indicators, towns


def registry_of(options: Mapping[str, Any]) -> Registry:
    """The registry of a run: the shipped files, or ``taldau_towns``/``taldau_indicators``."""
    return load_registry(
        towns=options.get("taldau_towns"), indicators=options.get("taldau_indicators")
    )


def plan_territories(
    options: Mapping[str, Any],
) -> tuple[list[TerritoryPair], list[Issue]]:
    """The (indicator, territory) pairs of a run and a ``not_configured`` warning per pair the
    registry cannot fetch yet (no term id: town nodes, South Kazakhstan before 2018)."""
    reg = registry_of(options)
    indicators, towns = selected(options)
    if not indicators or not towns:
        raise SourceError("no Taldau indicator/town selected: check --indicator/--town")
    pairs, skipped = plan_territory_pairs(reg, indicators=indicators, towns=towns)
    issues = [
        Issue(
            SOURCE,
            "fetch",
            "not_configured",
            "warning",
            s.reason,
            row_key=f"{s.territory_id}/{s.indicator_id}",
        )
        for s in skipped
    ]
    return pairs, issues


def fetch_territory_pair(client: TaldauClient, pair: TerritoryPair) -> Fetched:
    """One (indicator, territory) pair: rows keyed ``territory_id`` (the pair's territory)."""
    return fetch_pair(client, pair.indicator, pair.as_town())


def fetch_pair(
    client: TaldauClient, ind: Indicator, town: Town, years: Iterable[int] | None = None
) -> Fetched:
    """:func:`~tasks.sources.taldau.fetch_indicator` for one pair; a failure is returned (with
    the payloads received before it), never raised, so one pair never loses the others.
    ``town`` may be a territory as a town row (:meth:`TerritoryPair.as_town`)."""
    key = f"{town.town_id}/{ind.indicator_id}"
    try:
        payloads, frame, issues = fetch_indicator(client, ind, town, years)
    except Exception as exc:  # one pair's failure (or bug) must not lose the others
        known = isinstance(exc, TaldauError)
        message = str(exc) if known else f"unexpected: {exc!r}"
        failure = Issue(
            SOURCE,
            "core.observation",
            "fetch_failed",
            "error",
            message,
            row_key=key,
            observed=type(exc).__name__,
        )
        received = list(exc.payloads) if known else []
        return Fetched(key=key, payloads=received, failure=failure)
    return Fetched(key, payloads, frame, [as_issue(d) for d in issues])


def observations(fetched: Sequence[Fetched]) -> pd.DataFrame:
    """All successful observations in one frame (one row per territory, indicator, year)."""
    frames = [f.observations for f in fetched if f.observations is not None]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty_observations()
    return pd.concat(frames, ignore_index=True).astype(OBSERVATION_DTYPES)


class TaldauSource:
    """Options: ``taldau_url``, ``offline``, ``towns``, ``indicators``, ``taldau_towns``,
    ``taldau_indicators`` (registry CSVs replacing the shipped ones)."""

    name = SOURCE

    def plan(self, options: Mapping[str, Any]) -> tuple[list[TerritoryPair], list[Issue]]:
        return plan_territories(options)

    def session(self, options: Mapping[str, Any], archive_dir: str) -> TaldauClient:
        kw = {"base_url": options["taldau_url"]} if options.get("taldau_url") else {}
        return TaldauClient(archive_dir, offline=bool(options.get("offline")), **kw)

    def fetch(
        self, session: TaldauClient, request: TerritoryPair | tuple[Indicator, Town]
    ) -> Fetched:
        """One planned pair; an ``(indicator, town)`` tuple is the older per-town shape."""
        if isinstance(request, tuple):
            return fetch_pair(session, *request)
        return fetch_territory_pair(session, request)

    def parse(
        self,
        fetched: list[Fetched],
        *,
        options: Mapping[str, Any],
        reference: list[Payload],
        today: date,
    ) -> Batch:
        """Validate the parsed observations with the same schemas as every other source."""
        indicators, _ = selected(options)
        # what each selected indicator is comes from the one catalogue (core.indicator rows)
        registry = indicator_frame(i.indicator_id for i in indicators)
        payloads = unique_payloads(fetched)
        batch = validate_parsed_observations(
            observations(fetched),
            source=SOURCE,
            reference=reference,
            extra_indicators=registry,
            vintage_of={p.content_hash: p.fetched_at for p in payloads},
            today=today,
            registry=registry_of(options),
        )
        batch.issues += [i for f in fetched if f.failure is None for i in f.issues]
        return batch
