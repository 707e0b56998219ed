"""The refresh flow's Taldau path without Prefect: plan the pairs, fetch each, gather."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tasks.sources.base import Fetched, Payload, unique_payloads
from tasks.sources.taldau import SkippedPair, load_indicators, load_towns, plan_pairs
from tasks.sources.taldau.source import TaldauSource, observations


@dataclass
class Run:
    fetched: list[Fetched]
    skipped: list[SkippedPair]

    @property
    def results(self) -> list[Fetched]:
        return [f for f in self.fetched if f.failure is None]

    @property
    def failures(self) -> list[Fetched]:
        return [f for f in self.fetched if f.failure is not None]

    def frame(self) -> pd.DataFrame:
        return observations(self.fetched)

    def payloads(self) -> list[Payload]:
        return unique_payloads(self.fetched)

    def issues(self) -> list:
        """Every finding: the successes', one per failure, one per skipped pair."""
        out = [i for f in self.results for i in f.issues] + [f.failure for f in self.failures]
        return out + [s.key for s in self.skipped]

    def checks(self) -> list[tuple[str, str]]:
        """(check, severity) of every finding, failures and skipped pairs included."""
        out = [(i.check_name, i.severity) for f in self.results for i in f.issues]
        out += [(f.failure.check_name, f.failure.severity) for f in self.failures]
        return out + [("not_configured", "warning") for _ in self.skipped]


def run_pairs(client, indicators=None, towns=None) -> Run:
    """Every (indicator, town) pair fetched as the flow's mapped fetch task does, in order."""
    inds = list(indicators) if indicators is not None else load_indicators()
    tws = list(towns) if towns is not None else load_towns()
    pairs, skipped = plan_pairs(inds, tws)
    source = TaldauSource()
    return Run([source.fetch(client, pair) for pair in pairs], skipped)


def indicator_of(f: Fetched) -> str:
    return f.key.split("/", 1)[1]
