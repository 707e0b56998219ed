"""Synchronous HTTP client for the Taldau API (``https://taldau.stat.gov.kz/ru/Api/``).

Plain code, no Prefect. What it does for every request:

* archives the body (error bodies too) before anyone parses it (:mod:`.archive`);
* retries 429, 5xx and network errors/timeouts with exponential backoff and full jitter,
  honouring ``Retry-After`` (seconds or HTTP date, capped), up to ``max_attempts``;
* caps concurrency (``threading.BoundedSemaphore``) and spaces calls by a polite ``delay``;
* does not refetch a request already fetched successfully today (UTC) unless ``refresh=True``,
  and never fetches the same request twice in one client's lifetime;
* ``offline=True`` replays the latest successful archived response and never opens a socket.

``sleep``, ``rng`` and ``clock`` are injectable so tests run in milliseconds.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from tasks.sources.base import Payload
from tasks.sources.taldau.archive import (
    SOURCE,
    ArchivedResponse,
    RequestArchive,
    TaldauError,
    TaldauNotArchivedError,
    request_hash,
)
from tasks.sources.taldau.parse import is_json_body
from tasks.sources.taldau.registry import ROOT_TERM

DEFAULT_BASE_URL = "https://taldau.stat.gov.kz/ru/Api/"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "monotowns/0.1 (data observatory for Kazakhstan's monotowns; Taldau client)"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date).

    ``None`` if absent or unreadable; never negative."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def build_url(base_url: str, endpoint: str, params: Mapping[str, Any]) -> str:
    """``base_url + endpoint + ?query``, commas left literal (as Taldau clients send them)."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    clean = {k: v for k, v in params.items() if v is not None}
    query = urlencode({k: str(v) for k, v in clean.items()}, safe=",")
    return f"{base}{endpoint}" + (f"?{query}" if query else "")


class TaldauClient:
    """Taldau API client with archive, retries, rate limiting and offline replay.

    Parameters
    ----------
    archive_dir : where raw responses are stored (``<archive_dir>/taldau/...``). Required: nothing
        is fetched without being archived first.
    base_url : API root, default ``https://taldau.stat.gov.kz/ru/Api/`` (a local fake in tests).
    offline : replay from the archive only; a request never archived raises
        :class:`TaldauNotArchivedError` naming the endpoint and parameters.
    refresh : refetch even if the request was already fetched successfully today (UTC).
    connect_timeout, read_timeout : seconds (defaults 10 and 90).
    max_attempts : total attempts per request, including the first (default 6).
    backoff_base, backoff_max : full-jitter backoff ``uniform(0, min(max, base * 2**(n-1)))``.
    retry_after_cap : upper bound (seconds) on a server-requested ``Retry-After`` wait.
    max_concurrency : simultaneous HTTP requests allowed (default 3).
    delay : minimum spacing between the starts of two HTTP requests (default 0.2 s).
    sleep, rng, clock : injectable ``time.sleep``, ``random.Random`` and UTC ``now()``.
    transport, verify, headers : passed to ``httpx.Client``.
    """

    def __init__(
        self,
        archive_dir: str | Path,
        *,
        base_url: str = DEFAULT_BASE_URL,
        offline: bool = False,
        refresh: bool = False,
        connect_timeout: float = 10.0,
        read_timeout: float = 90.0,
        max_attempts: int = 6,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        retry_after_cap: float = 120.0,
        max_concurrency: int = 3,
        delay: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = _utc_now,
        transport: httpx.BaseTransport | None = None,
        verify: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be >= 1")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.archive = RequestArchive(archive_dir)
        self.offline = offline
        self.refresh = refresh
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_cap = retry_after_cap
        self.delay = delay
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._clock = clock
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._gate_lock = threading.Lock()
        self._next_start = 0.0
        self._locks_lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._memo: dict[str, Payload] = {}
        self._failed: dict[str, TaldauError] = {}
        self._stats_lock = threading.Lock()
        self.stats = {"network": 0, "archive": 0, "memo": 0}
        self._http: httpx.Client | None = None
        if not offline:
            self._http = httpx.Client(
                timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
                transport=transport,
                verify=verify,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
                follow_redirects=True,
            )

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> TaldauClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- endpoints -------------------------------------------------------------------------

    def get_index_attributes(self, index_id: int, period_id: int | None = None) -> Payload:
        """``GetIndexAttributes?indexId=`` (name, unit ``measureName``, ``decFormat``, ``path``)."""
        return self.request("GetIndexAttributes", {"indexId": index_id, "periodId": period_id})

    def get_period_list(self, index_id: int) -> Payload:
        """``GetPeriodList?indexId=`` (period types: 7 = year, 5 = quarter, 4 = month, ...)."""
        return self.request("GetPeriodList", {"indexId": index_id})

    def get_segment_list(self, index_id: int, period_id: int) -> Payload:
        """``GetSegmentList?indexId=&periodId=`` (dictionary combinations and their roots)."""
        return self.request("GetSegmentList", {"indexId": index_id, "periodId": period_id})

    def get_index_periods(
        self,
        index_id: int,
        period_id: int,
        terms: Sequence[int] | str,
        dic_ids: Sequence[int] | str,
        *,
        term_id: int = ROOT_TERM,
        measure_id: int = 1,
    ) -> Payload:
        """``GetIndexPeriods`` for one segment (``terms`` = its roots, ``dic_ids`` = its dics)."""
        return self.request(
            "GetIndexPeriods",
            _segment_params(index_id, period_id, terms, dic_ids, term_id, measure_id),
        )

    def get_index_data(
        self,
        index_id: int,
        period_id: int,
        dics: Sequence[int] | str,
        date_ids: Sequence[str | int] | None = None,
    ) -> Payload:
        """``GetIndexData/{index_id}?period=&dics=[&dateIds=]`` (flat rows of terms x periods)."""
        params: dict[str, Any] = {"period": period_id, "dics": _join(dics)}
        if date_ids:
            params["dateIds"] = _join(date_ids)
        return self.request(f"GetIndexData/{index_id}", params)

    def get_index_tree_data(
        self,
        index_id: int,
        period_id: int,
        terms: Sequence[int] | str,
        dic_ids: Sequence[int] | str,
        idx: int,
        *,
        parent_id: int | str | None = None,
        term_id: int = ROOT_TERM,
        measure_id: int = 1,
    ) -> Payload:
        """``GetIndexTreeData`` (one tree level; children via ``parent_id``)."""
        return self.request(
            "GetIndexTreeData",
            {
                **_segment_params(index_id, period_id, terms, dic_ids, term_id, measure_id),
                "idx": idx,
                "p_parent_id": "" if parent_id is None else parent_id,
            },
        )

    # -- core ------------------------------------------------------------------------------

    def request(self, endpoint: str, params: Mapping[str, Any] | None = None) -> Payload:
        """GET ``base_url + endpoint`` with ``params``; return the body as a :class:`Payload`.

        ``endpoint`` is the path under the API root, e.g. ``GetSegmentList`` or
        ``GetIndexData/702944``. The payload's ``kind`` is the endpoint name (``GetIndexData``).
        Raises :class:`TaldauError` when retries run out or the status is a non-retryable error.
        """
        params = {k: v for k, v in (params or {}).items() if v is not None}
        rhash = request_hash(endpoint, params)
        with self._key_lock(rhash):
            if rhash in self._memo:
                self._count("memo")
                return self._memo[rhash]
            if rhash in self._failed:  # do not hammer a failing request once per town
                self._count("memo")
                earlier = self._failed[rhash]
                raise type(earlier)(
                    f"{earlier} [failed earlier in this run; not retried]",
                    endpoint=earlier.endpoint,
                    params=earlier.params,
                )
            try:
                if self.offline:
                    payload = self._replay(endpoint, params, rhash)
                else:
                    payload = self._cached_today(rhash) if not self.refresh else None
                    if payload is None:
                        payload = self._fetch(endpoint, params, rhash)
            except TaldauError as exc:
                self._failed[rhash] = exc
                raise
            self._memo[rhash] = payload
            return payload

    def _count(self, key: str) -> None:
        with self._stats_lock:
            self.stats[key] += 1

    def _key_lock(self, rhash: str) -> threading.Lock:
        with self._locks_lock:
            return self._key_locks.setdefault(rhash, threading.Lock())

    def _replay(self, endpoint: str, params: Mapping[str, Any], rhash: str) -> Payload:
        entry = self.archive.latest_ok(rhash)
        if entry is None:
            raise TaldauNotArchivedError(
                f"Taldau offline: {endpoint} params={dict(sorted(params.items()))} is not in the "
                f"archive {self.archive.source_dir} (request_hash {rhash}); run online once first",
                endpoint=endpoint,
                params=params,
            )
        self._count("archive")
        return self.archive.load_payload(entry, cache="offline")

    def _cached_today(self, rhash: str) -> Payload | None:
        entry = self.archive.latest_ok(rhash)
        if entry is None or entry.fetched_date != self._clock().date().isoformat():
            return None
        try:
            payload = self.archive.load_payload(entry, cache="same_day")
        except TaldauError:
            return None  # body missing or corrupted: fetch again
        self._count("archive")
        return payload

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        with self._rng_lock:
            return self._rng.uniform(0.0, ceiling)

    def _polite_wait(self) -> None:
        if self.delay <= 0:
            return
        with self._gate_lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.delay
        if start > now:
            self._sleep(start - now)

    def _fetch(self, endpoint: str, params: Mapping[str, Any], rhash: str) -> Payload:
        assert self._http is not None
        url = build_url(self.base_url, endpoint, params)
        kind = endpoint.split("/", 1)[0]
        shown = dict(sorted(params.items()))
        last = "no attempt made"
        error_payloads: list[Payload] = []
        for attempt in range(1, self.max_attempts + 1):
            self._polite_wait()
            wait: float | None = None
            response: httpx.Response | None = None
            self._count("network")
            try:
                with self._slots:
                    response = self._http.get(url)
            except httpx.TransportError as exc:  # connect/read timeouts, refused, reset, ...
                last = f"{type(exc).__name__}: {exc}".rstrip(": ")
                self.archive.record(
                    ArchivedResponse(
                        request_hash=rhash,
                        endpoint=endpoint,
                        kind=kind,
                        params=dict(params),
                        url=url,
                        status=None,
                        fetched_at=_iso(self._clock()),
                        content_hash=None,
                        ok=False,
                        error=last,
                    )
                )
            if response is not None:
                status = response.status_code
                fetched = self._clock()
                payload = Payload.from_bytes(
                    SOURCE,
                    kind,
                    url,
                    response.content,
                    meta={
                        "status": status,
                        "params": dict(params),
                        "request_hash": rhash,
                        "endpoint": endpoint,
                        "attempt": attempt,
                        "cache": "network",
                    },
                    fetched_at=_iso(fetched),
                )
                ok = 200 <= status < 300 and is_json_body(payload.data)
                self.archive.record(
                    ArchivedResponse(
                        request_hash=rhash,
                        endpoint=endpoint,
                        kind=kind,
                        params=dict(params),
                        url=url,
                        status=status,
                        fetched_at=payload.fetched_at,
                        content_hash=payload.content_hash,
                        ok=ok,
                        error=None if 200 <= status < 300 else f"HTTP {status}",
                    ),
                    payload,
                )
                if 200 <= status < 300:
                    return payload  # a non-JSON 2xx body is returned: the parser reports it
                error_payloads.append(payload)
                last = f"HTTP {status}"
                if status not in RETRY_STATUSES and status < 500:
                    err = TaldauError(
                        f"Taldau {endpoint} params={shown} failed with non-retryable {last} "
                        f"(url {url})",
                        endpoint=endpoint,
                        params=params,
                    )
                    err.payloads = error_payloads
                    raise err
                retry_after = parse_retry_after(response.headers.get("Retry-After"), fetched)
                if retry_after is not None:
                    wait = min(retry_after, self.retry_after_cap)
                    last += f" (Retry-After {response.headers.get('Retry-After')})"
            if attempt < self.max_attempts:
                self._sleep(wait if wait is not None else self._backoff(attempt))
        err = TaldauError(
            f"Taldau {endpoint} params={shown} failed after {self.max_attempts} attempt(s); "
            f"last error: {last} (url {url})",
            endpoint=endpoint,
            params=params,
        )
        err.payloads = error_payloads  # error bodies, also in the archive
        raise err


def _segment_params(
    index_id: int,
    period_id: int,
    terms: Sequence[int] | str,
    dic_ids: Sequence[int] | str,
    term_id: int,
    measure_id: int,
) -> dict[str, Any]:
    """The ``p_*`` parameters naming one segment (GetIndexPeriods, GetIndexTreeData)."""
    return {
        "p_measure_id": measure_id,
        "p_index_id": index_id,
        "p_period_id": period_id,
        "p_terms": _join(terms),
        "p_term_id": term_id,
        "p_dicIds": _join(dic_ids),
    }


def _join(values: Sequence[Any] | str) -> str:
    if isinstance(values, str):
        return values.replace(" + ", ",").replace("+", ",").replace(" ", "")
    return ",".join(str(v) for v in values)
