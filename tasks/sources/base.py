"""The one shape every source returns: raw payloads with provenance, archived before parsing.

A source module (``bundled``, ``files``, ``taldau``) takes parameters and returns a list of
:class:`Payload`. Each payload's bytes are written to the raw archive (content-addressed, write
once) *before* anything parses them, so a parser bug or a bad file never loses what was received.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def utc_now() -> str:
    """Current UTC time as an ISO-8601 string with seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Payload:
    """One raw input as received, with where it came from.

    Attributes
    ----------
    source : ``bundled`` | ``files`` | ``taldau`` | ``survey``.
    kind : what the payload holds, e.g. ``observations``, ``towns`` or a Taldau endpoint name.
    uri : file path or URL (with query) it was read from.
    content_hash : SHA-256 of ``data``.
    fetched_at : ISO UTC timestamp of the read.
    data : the bytes exactly as received.
    meta : extra provenance (HTTP status, request parameters, ...), JSON-serialisable.
    """

    source: str
    kind: str
    uri: str
    content_hash: str
    fetched_at: str
    data: bytes = field(repr=False)
    meta: dict = field(default_factory=dict)

    @classmethod
    def from_bytes(
        cls,
        source: str,
        kind: str,
        uri: str,
        data: bytes,
        meta: dict | None = None,
        fetched_at: str | None = None,
    ) -> Payload:
        """Build a payload, computing its hash and timestamp."""
        return cls(
            source=source,
            kind=kind,
            uri=uri,
            content_hash=sha256_bytes(data),
            fetched_at=fetched_at or utc_now(),
            data=data,
            meta=dict(meta or {}),
        )

    def describe(self) -> dict:
        """Provenance without the bytes (for ``raw.payload`` and logs)."""
        d = asdict(self)
        d.pop("data")
        d["size_bytes"] = len(self.data)
        return d


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a fsynced temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def archive_payload(payload: Payload, archive_dir: str | Path) -> Path:
    """Store ``payload`` bytes under ``archive_dir/<source>/<hash>`` (write once, atomic).

    A sidecar ``<hash>.json`` keeps the provenance of the first time these bytes were seen.
    Returns the path of the stored bytes.
    """
    base = Path(archive_dir) / payload.source
    target = base / payload.content_hash
    if not target.exists():
        atomic_write(target, payload.data)
    sidecar = base / f"{payload.content_hash}.json"
    if not sidecar.exists():
        atomic_write(sidecar, json.dumps(payload.describe(), ensure_ascii=False, indent=1).encode())
    return target
