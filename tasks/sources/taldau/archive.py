"""Raw archive of Taldau requests: every response body is stored before anything parses it.

Layout under ``archive_dir``::

    taldau/<content_hash>              body bytes (content-addressed, via base.archive_payload)
    taldau/<content_hash>.json         provenance of the first time these bytes were seen
    taldau/requests/<rhash>.json       last response of the request + its latest successful one
    taldau/requests/<rhash>.history.jsonl   one line per attempt (2xx, error status, network error)

``request_hash`` is the SHA-256 of the endpoint path (e.g. ``GetIndexData/702944``) plus the
canonical, sorted parameters. The base URL is *not* part of the key, so a replay works whatever
host served the original response (the live API, a mirror, or a local test server).

A response is "successful" (``ok``) when its status is 2xx and its body decodes as JSON. Offline
replay and the same-day cache only ever use the latest successful response of a request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tasks.sources.base import Payload, archive_payload, atomic_write, sha256_bytes

SOURCE = "taldau"


class TaldauError(RuntimeError):
    """Base class for every Taldau failure (network, archive, parse, registry, data).

    ``endpoint`` and ``params`` name the request involved (when there is one). ``payloads`` holds
    whatever raw payloads were already received when a multi-step fetch failed, so a caller can
    still archive/record them.
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.params = dict(params or {})
        self.payloads: list[Payload] = []


class TaldauNotArchivedError(TaldauError):
    """Offline mode: the request has no successful response in the archive."""


def canonical_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Parameters as a sorted ``{str: str}``: ``None`` dropped, sequences joined with commas."""
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        out[str(key)] = str(value)
    return dict(sorted(out.items()))


def request_key(endpoint: str, params: Mapping[str, Any] | None) -> str:
    """Canonical text identifying a request (endpoint path + sorted parameters)."""
    return json.dumps(
        {"endpoint": endpoint, "params": canonical_params(params)},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def request_hash(endpoint: str, params: Mapping[str, Any] | None) -> str:
    """SHA-256 of :func:`request_key`."""
    return hashlib.sha256(request_key(endpoint, params).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ArchivedResponse:
    """One archived response (or network failure) of a request."""

    request_hash: str
    endpoint: str  # endpoint path, e.g. "GetIndexData/702944"
    kind: str  # endpoint name, e.g. "GetIndexData"
    params: dict
    url: str
    status: int | None  # None for a network error (no response)
    fetched_at: str
    content_hash: str | None
    ok: bool
    error: str | None = None

    @property
    def fetched_date(self) -> str:
        """UTC date ``YYYY-MM-DD`` of the fetch."""
        return self.fetched_at[:10]


class RequestArchive:
    """Request-keyed index over the content-addressed payload archive.

    Not thread-safe for the *same* request hash on its own; :class:`~.client.TaldauClient`
    serialises requests per key.
    """

    def __init__(self, archive_dir: str | Path) -> None:
        self.archive_dir = Path(archive_dir)
        self.source_dir = self.archive_dir / SOURCE
        self.requests_dir = self.source_dir / "requests"

    def meta_path(self, rhash: str) -> Path:
        return self.requests_dir / f"{rhash}.json"

    def history_path(self, rhash: str) -> Path:
        return self.requests_dir / f"{rhash}.history.jsonl"

    def body_path(self, content_hash: str) -> Path:
        return self.source_dir / content_hash

    # -- writing ---------------------------------------------------------------------------

    def record(self, entry: ArchivedResponse, payload: Payload | None = None) -> ArchivedResponse:
        """Store ``payload`` bytes (if any), append to the history, update the request metadata."""
        if payload is not None:
            archive_payload(payload, self.archive_dir)
        self.requests_dir.mkdir(parents=True, exist_ok=True)
        line = json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True) + "\n"
        with open(self.history_path(entry.request_hash), "a", encoding="utf-8") as fh:
            fh.write(line)
        current = self._read_meta(entry.request_hash)
        latest_ok = current.get("latest_ok") if current else None
        if entry.ok:
            latest_ok = asdict(entry)
        meta = {**asdict(entry), "latest_ok": latest_ok}
        atomic_write(
            self.meta_path(entry.request_hash),
            json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"),
        )
        return entry

    # -- reading ---------------------------------------------------------------------------

    def _read_meta(self, rhash: str) -> dict | None:
        path = self.meta_path(rhash)
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def last(self, rhash: str) -> ArchivedResponse | None:
        """The last response recorded for the request (any status)."""
        meta = self._read_meta(rhash)
        if not meta:
            return None
        meta.pop("latest_ok", None)
        return ArchivedResponse(**meta)

    def latest_ok(self, rhash: str) -> ArchivedResponse | None:
        """The latest successful (2xx, JSON) response of the request, if any."""
        meta = self._read_meta(rhash)
        if not meta or not meta.get("latest_ok"):
            return None
        return ArchivedResponse(**meta["latest_ok"])

    def history(self, rhash: str) -> list[ArchivedResponse]:
        """Every recorded attempt of the request, oldest first."""
        path = self.history_path(rhash)
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [ArchivedResponse(**json.loads(line)) for line in lines if line.strip()]

    def load_payload(self, entry: ArchivedResponse, **extra_meta: Any) -> Payload:
        """Rebuild the :class:`Payload` of an archived response from the stored bytes."""
        if entry.content_hash is None:
            raise TaldauError(
                f"Taldau archive: {entry.endpoint} params={entry.params} has no stored body",
                endpoint=entry.endpoint,
                params=entry.params,
            )
        path = self.body_path(entry.content_hash)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise TaldauNotArchivedError(
                f"Taldau archive: body {entry.content_hash} of {entry.endpoint} "
                f"params={entry.params} is missing from {self.source_dir}",
                endpoint=entry.endpoint,
                params=entry.params,
            ) from exc
        if sha256_bytes(data) != entry.content_hash:
            raise TaldauError(
                f"Taldau archive: body {path} does not match its hash (corrupted archive)",
                endpoint=entry.endpoint,
                params=entry.params,
            )
        meta = {
            "status": entry.status,
            "params": dict(entry.params),
            "request_hash": entry.request_hash,
            "endpoint": entry.endpoint,
            **extra_meta,
        }
        return Payload(
            source=SOURCE,
            kind=entry.kind,
            uri=entry.url,
            content_hash=entry.content_hash,
            fetched_at=entry.fetched_at,
            data=data,
            meta=meta,
        )
