"""A fake Taldau API on a real local HTTP server (pytest-httpserver on 127.0.0.1).

Reusable by unit tests and end-to-end tests (``monotowns run --source taldau --taldau-url ...``).
It serves, for every indicator of the bundled registry (``tasks/sources/taldau/indicators.csv``),
a small consistent dataset shaped like ``/work/shared/reference/taldau/shapes/*.json``:

* GetIndexAttributes, GetPeriodList, GetSegmentList, GetIndexPeriods, GetIndexData/{id};
* district-level (dic 68) rows for Khromtau district (term 249978, real id), a neighbour district
  (249637) and the republic root (741880); oblast-level (dic 67) rows for Aktobe oblast
  (``FAKE_OBLAST_TERM`` = 248875, the real id now in territories.csv), a stand-in other oblast
  and the root;
* a breakdown row (non-"Всего" term) next to each total, so wrong joins show up as wrong numbers;
* years 2014-2023, periods in non-chronological order, non-chronological ``datesIds``;
* with ``quirks=True`` (default): UTF-8 BOM on GetIndexData bodies, keys with stray spaces
  (``"value "``, ``" terms"``), comma decimals for the unemployment rate;
* labour numbers are internally consistent (employed = active - unemployed, rate = 100 *
  unemployed / active within rounding); one suppressed value ("x"): industrial output of
  Khromtau district in 2015 (``DEFAULT_SUPPRESSED``).

Fault injection: ``failure_rate`` (the first ``fail_attempts`` attempts of that share of distinct
requests fail with ``fail_status``, deterministically by request counter), and ``broken`` =
``{taldau_index_id: mode}`` for GetIndexData of one indicator, with ``mode`` one of
``html``, ``truncated``, ``empty``, ``500``, ``429``, ``slow``, ``no_territory``.

Use in a test::

    import tests.taldau_fake as taldau_fake      # project root must be on sys.path
    taldau_httpserver = taldau_fake.taldau_httpserver   # expose the fixtures in your module
    fake_taldau = taldau_fake.fake_taldau

    def test_x(fake_taldau, tmp_path):
        client = fast_client(tmp_path, fake_taldau.base_url)  # no delay, no real sleeps
        ...

or, outside these fixtures: ``server = start_server(); fake = install_fake_taldau(server, ...)``.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tasks.sources.taldau.client import TaldauClient
from tasks.sources.taldau.registry import (
    INDICATORS_CSV,
    TOWNS_CSV,
    Indicator,
    Town,
    get_town,
    load_indicators,
)

ROOT = 741880
KHROMTAU_TERM = 249978  # Khromtau district, dic 68 (real id)
NEIGHBOUR_TERM = 249637  # Mugalzhar district, dic 68 (real id), a distractor
FAKE_OBLAST_TERM = 248875  # Aktobe oblast in dic 67 (real id, territories.csv)
OTHER_OBLAST_TERM = 990043  # stand-in for another oblast
BREAKDOWN_TERM = 111111  # a non-"Всего" member of a breakdown dictionary
YEARS = tuple(range(2014, 2024))
DEFAULT_SUPPRESSED = frozenset({("industrial_output", 2015)})
ROOTS = {
    67: ROOT,
    68: ROOT,
    749: 741917,
    776: 741917,
    576: 741935,
    90: 741927,
    859: 741885,
    915: 741885,
    4303: 741885,
    3028: 741885,
}
PREFIX = "/ru/Api/"


def root_for(dic: int) -> int:
    """The "Всего" root term the fake uses for a dictionary."""
    return ROOTS.get(dic, 800000 + dic)


def date_id(year: int) -> str:
    """Fake ``datesIds``: unique, not chronological."""
    return str(900 + (2030 - year) * 3)


def api_order(years: Iterable[int]) -> list[int]:
    """A deterministic non-chronological order, as GetIndexData returns periods."""
    return sorted(years, key=lambda y: (y * 7919) % 13)


# ---------------------------------------------------------------------------------------------
# dataset


def town_value(indicator_id: str, year: int) -> float:
    """The fake value of an indicator for the town's territory (Khromtau district or the stand-in
    Aktobe oblast), in Taldau's unit (``taldau_unit``: labour counts in thousand persons). Labour
    values are mutually consistent."""
    k = year - 2014
    active = round(450.0 + 2.5 * k, 1)
    rate_in = 4.0 + (k % 4) * 0.3
    unemployed = round(active * rate_in / 100, 1)
    values = {
        "labour_active": active,
        "labour_unemployed": unemployed,
        "labour_employed": round(active - unemployed, 1),
        "labour_self_employed": round((active - unemployed) * 0.2, 1),
        "labour_unemployment_rate": round(100 * unemployed / active, 1),
        "grp_total": 2_500_000.0 + 150_000.0 * k,
        "wage_avg_monthly": 120_000.0 + 9_000.0 * k,
        "industrial_output": 400_000.5 + 20_000.0 * k,
    }
    return values.get(indicator_id, 1000.0 + k)


def format_value(indicator_id: str, value: float, quirks: bool) -> str:
    text = f"{value:.1f}"
    if quirks and indicator_id == "labour_unemployment_rate":
        text = text.replace(".", ",")
    return text


class FakeTaldau:
    """Request handler serving the fake dataset; see the module docstring."""

    def __init__(
        self,
        server: HTTPServer,
        *,
        indicators: Iterable[Indicator] | None = None,
        years: Iterable[int] = YEARS,
        failure_rate: float = 0.0,
        fail_attempts: int = 1,
        fail_status: int = 500,
        broken: Mapping[int, str] | None = None,
        suppressed: Iterable[tuple[str, int]] = DEFAULT_SUPPRESSED,
        quirks: bool = True,
        slow_seconds: float = 1.0,
        prefix: str = PREFIX,
    ) -> None:
        self.server = server
        self.indicators = {i.taldau_index_id: i for i in (indicators or load_indicators())}
        self.years = tuple(years)
        self.failure_rate = failure_rate
        self.fail_attempts = fail_attempts
        self.fail_status = fail_status
        self.broken = dict(broken or {})
        self.suppressed = set(suppressed)
        self.quirks = quirks
        self.slow_seconds = slow_seconds
        self.prefix = prefix
        self._lock = threading.Lock()
        self._key_index: dict[str, int] = {}
        self._attempts: dict[str, int] = {}
        self.log: list[dict] = []

    # -- setup / inspection ------------------------------------------------------------------

    def install(self) -> FakeTaldau:
        self.server.expect_request(re.compile("^" + re.escape(self.prefix))).respond_with_handler(
            self.handle
        )
        return self

    @property
    def base_url(self) -> str:
        return self.server.url_for(self.prefix)

    def count(self, path_prefix: str = "", status: int | None = None) -> int:
        """Requests received whose path (under the prefix) starts with ``path_prefix``."""
        with self._lock:
            return sum(
                1
                for e in self.log
                if e["path"].startswith(path_prefix) and (status is None or e["status"] == status)
            )

    def expected(self, indicator_id: str) -> dict[int, float | None]:
        """Expected frame ``{year: value}`` for the town's territory, in the registry's ``unit``
        (Taldau value x ``scale``); ``None`` = suppressed."""
        scale = next(i.scale for i in self.indicators.values() if i.indicator_id == indicator_id)
        return {
            y: None
            if (indicator_id, y) in self.suppressed
            else round(town_value(indicator_id, y) * scale, 6)
            for y in self.years
        }

    # -- dataset -----------------------------------------------------------------------------

    def segments(self, ind: Indicator) -> list[tuple[int, ...]]:
        preferred = ind.dics or (ind.territory_dic,)
        decoy_dic = 859 if 915 in preferred else 915
        return [(ind.territory_dic, decoy_dic), tuple(preferred)]

    def _territories(self, ind: Indicator) -> list[tuple[int, float]]:
        if ind.territory_dic == 68:  # dic 68 holds the oblasts too (wages at oblast level)
            return [
                (ROOT, 10.0),
                (FAKE_OBLAST_TERM, 4.0),
                (KHROMTAU_TERM, 1.0),
                (NEIGHBOUR_TERM, 0.7),
            ]
        return [(ROOT, 10.0), (FAKE_OBLAST_TERM, 1.0), (OTHER_OBLAST_TERM, 1.3)]

    def index_data(self, ind: Indicator, dics: tuple[int, ...], date_ids: set[str] | None) -> list:
        years = [y for y in api_order(self.years) if date_ids is None or date_id(y) in date_ids]
        pos = dics.index(ind.territory_dic)
        roots = [root_for(d) for d in dics]
        town_term = KHROMTAU_TERM if ind.territory_dic == 68 else FAKE_OBLAST_TERM
        rows = []
        for term, factor in self._territories(ind):
            variants = [(roots, 1.0)]
            if len(dics) > 1:
                breakdown = list(roots)
                breakdown[1 if pos == 0 else 0] = BREAKDOWN_TERM
                variants.append((breakdown, 0.5))
            for base_terms, share in variants:
                terms = list(base_terms)
                terms[pos] = term
                periods = []
                for y in years:
                    if (
                        term == town_term
                        and share == 1.0
                        and (ind.indicator_id, y) in self.suppressed
                    ):
                        text = "x"
                    else:
                        text = format_value(
                            ind.indicator_id,
                            town_value(ind.indicator_id, y) * factor * share,
                            self.quirks,
                        )
                    periods.append({"name": f"{y} год", "date": f"31.12.{y}", "value": text})
                names = [f"TERM {t}" for t in terms]
                rows.append({"terms": terms, "termNames": names, "periods": periods})
        return rows

    # -- HTTP ----------------------------------------------------------------------------------

    def _failing(self, key: str) -> bool:
        """Deterministic: exactly floor(n * rate) of the first n distinct requests fail."""
        with self._lock:
            if key not in self._key_index:
                self._key_index[key] = len(self._key_index)
            k = self._key_index[key]
            self._attempts[key] = self._attempts.get(key, 0) + 1
            attempt = self._attempts[key]
        selected = math.floor((k + 1) * self.failure_rate) > math.floor(k * self.failure_rate)
        return selected and attempt <= self.fail_attempts

    def handle(self, request: Request) -> Response:
        path = request.path[len(self.prefix) :]
        args = {k: v for k, v in request.args.items()}
        key = path + "?" + json.dumps(args, sort_keys=True)
        if self.failure_rate and self._failing(key):
            response = Response(
                "<html><body><h1>500 Internal Server Error</h1></body></html>",
                status=self.fail_status,
                content_type="text/html",
            )
        else:
            response = self._route(path, args)
        with self._lock:
            self.log.append({"path": path, "args": args, "status": response.status_code})
        return response

    def _json(self, obj: Any, *, bom: bool = False, quirky_keys: bool = False) -> Response:
        text = json.dumps(obj, ensure_ascii=False)
        if quirky_keys:
            text = text.replace('"value":', '"value ":').replace('"terms":', '" terms":')
        body = text.encode("utf-8")
        if bom:
            body = b"\xef\xbb\xbf" + body
        return Response(body, status=200, content_type="application/json; charset=utf-8")

    def _route(self, path: str, args: dict[str, str]) -> Response:
        if path == "GetIndexData" or path.startswith("GetIndexData/"):
            return self._index_data(path, args)
        index_arg = args.get("indexId") or args.get("p_index_id") or ""
        ind = self.indicators.get(int(index_arg)) if index_arg.isdigit() else None
        if ind is None:
            return Response("[]", status=200, content_type="application/json")
        if path == "GetIndexAttributes":
            return self._json(
                {
                    "id": ind.taldau_index_id,
                    "name": ind.name_ru,
                    "namePath": "…",
                    "path": "…/12",
                    "measureName": ind.taldau_unit,
                    "measureSign": "",
                    "decFormat": 1,
                }
            )
        if path == "GetPeriodList":
            return self._json([{"id": 7, "name": "Год"}])
        if path == "GetSegmentList":
            if args.get("periodId") != "7":
                return self._json([])
            return self._json(
                [
                    {
                        "dicId": " + ".join(str(d) for d in dics),
                        "dicClassId": "…",
                        "ids": "…",
                        "names": " + ".join(f"dic {d}" for d in dics),
                        "fullNames": "…",
                        "termIds": ",".join(str(root_for(d)) for d in dics),
                        "termNames": "…",
                        "dicCount": len(dics),
                        "termPath": "…",
                        "idx": i,
                        "order": i,
                        "decFormat": 1,
                    }
                    for i, dics in enumerate(self.segments(ind))
                ]
            )
        if path == "GetIndexPeriods":
            years = sorted(self.years)
            return self._json(
                {
                    "dateList": [f"12{y}" for y in years],
                    "periodNameList": [f"{y} год" for y in years],
                    "datesToDraw": [f"31.12.{y}" for y in years],
                    "datesIds": [date_id(y) for y in years],
                }
            )
        return Response(f"unknown endpoint {path}", status=404)

    def _index_data(self, path: str, args: dict[str, str]) -> Response:
        index = path.split("/", 1)[1] if "/" in path else ""
        ind = self.indicators.get(int(index)) if index.isdigit() else None
        if ind is None:
            return self._json([])
        mode = self.broken.get(ind.taldau_index_id)
        if mode == "html":
            return Response(
                "<!DOCTYPE html><html><head><title>Ошибка</title></head><body>Сервис недоступен"
                "</body></html>",
                status=200,
                content_type="text/html; charset=utf-8",
            )
        if mode == "empty":
            return self._json([])
        if mode == "500":
            return Response("Internal Server Error", status=500)
        if mode == "429":
            return Response("Too Many Requests", status=429, headers={"Retry-After": "1"})
        if mode == "slow":
            time.sleep(self.slow_seconds)
        try:
            dics = tuple(int(d) for d in args.get("dics", "").split(",") if d)
        except ValueError:
            dics = ()
        if dics not in [tuple(s) for s in self.segments(ind)] or args.get("period") != "7":
            return Response(f"bad period/dics {args}", status=400)
        date_ids = set(args["dateIds"].split(",")) if args.get("dateIds") else None
        rows = self.index_data(ind, dics, date_ids)
        if mode == "no_territory":
            town_terms = {KHROMTAU_TERM, FAKE_OBLAST_TERM}
            rows = [r for r in rows if not town_terms & set(r["terms"])]
        if mode == "truncated":
            text = json.dumps(rows, ensure_ascii=False)
            return Response(text[: len(text) // 2], status=200, content_type="application/json")
        return self._json(rows, bom=self.quirks, quirky_keys=self.quirks)


# ---------------------------------------------------------------------------------------------
# helpers and fixtures


def start_server() -> HTTPServer:
    """A threaded pytest-httpserver on 127.0.0.1 with an ephemeral port (caller stops it)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    return server


def install_fake_taldau(server: HTTPServer, **kwargs: Any) -> FakeTaldau:
    """Clear ``server``'s handlers and install a :class:`FakeTaldau` built with ``kwargs``."""
    server.clear()
    return FakeTaldau(server, **kwargs).install()


def fake_town() -> Town:
    """Khromtau as in towns.csv, with the Aktobe oblast term the fake serves for dic 67."""
    town = get_town("khromtau")
    return Town(**{**town.__dict__, "oblast_term_id": FAKE_OBLAST_TERM})


def write_fake_towns_csv(path: str | Path) -> Path:
    """A copy of towns.csv for end-to-end runs (Khromtau's oblast is the Aktobe term the fake
    serves; the territories are the bundled territories.csv)."""
    path = Path(path)
    path.write_bytes(TOWNS_CSV.read_bytes())
    return path


def no_sleep(_seconds: float) -> None:
    """Injectable ``sleep`` for fast tests."""


class SleepRecorder:
    """Injectable ``sleep`` that records the requested waits instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.calls.append(seconds)


def fast_client(archive_dir: str | Path, base_url: str, **kwargs: Any) -> TaldauClient:
    """A :class:`TaldauClient` for tests: no polite delay, no real sleeping, tiny backoff."""
    options: dict[str, Any] = {
        "delay": 0.0,
        "sleep": no_sleep,
        "backoff_base": 0.001,
        "read_timeout": 5.0,
        "connect_timeout": 2.0,
    }
    options.update(kwargs)
    return TaldauClient(archive_dir, base_url=base_url, **options)


@pytest.fixture(scope="session")
def taldau_httpserver() -> Iterator[HTTPServer]:
    """A threaded local HTTP server shared by the session (handlers cleared per test)."""
    server = start_server()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def fake_taldau(taldau_httpserver: HTTPServer) -> Iterator[FakeTaldau]:
    """The default fake Taldau (no failures, quirks on) on the shared server."""
    fake = install_fake_taldau(taldau_httpserver)
    yield fake
    taldau_httpserver.check_handler_errors()
    taldau_httpserver.clear()


__all__ = [
    "BREAKDOWN_TERM",
    "DEFAULT_SUPPRESSED",
    "FAKE_OBLAST_TERM",
    "INDICATORS_CSV",
    "KHROMTAU_TERM",
    "ROOT",
    "YEARS",
    "FakeTaldau",
    "SleepRecorder",
    "fake_taldau",
    "fake_town",
    "fast_client",
    "install_fake_taldau",
    "no_sleep",
    "start_server",
    "taldau_httpserver",
    "town_value",
    "write_fake_towns_csv",
]
