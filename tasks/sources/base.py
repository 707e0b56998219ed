"""The one shape of every source: raw payloads with provenance, archived before parsing.

A source (``bundled``, ``files``, ``taldau``; registered in :mod:`tasks.sources.registry`)
implements :class:`Source`: it plans the fetches a run needs, fetches each one as
:class:`Fetched` (the :class:`Payload` list received, with provenance, plus any finding), and
parses what was fetched into a :class:`Batch`: typed frames (observations in the one shape of
:data:`schemas.inputs.OBSERVATION_COLUMNS`) and :class:`~tasks.parse.Issue` rows. Each
payload's bytes are written to the raw archive (content-addressed, write once) *before* anything
parses them, so a parser bug or a bad file never loses what was received.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import pandas as pd

from tasks.parse import Issue
from warehouse.session import utc_now


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


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
    data : the bytes exactly as received; ``None`` for a payload of a file on disk
        (:meth:`from_path`: the ingest path streams such files and never holds them whole;
        :meth:`read_bytes` reads them).
    meta : extra provenance (HTTP status, request parameters, ...), JSON-serialisable.
    path : the file holding the bytes, for payloads read from disk (:meth:`from_path`).
    """

    source: str
    kind: str
    uri: str
    content_hash: str
    fetched_at: str
    data: bytes | None = field(repr=False, default=None)
    meta: dict = field(default_factory=dict)
    path: str | None = field(default=None, compare=False)
    size_bytes: int = -1

    def __post_init__(self) -> None:
        if self.size_bytes < 0:
            size = len(self.data) if self.data is not None else os.path.getsize(self.path)
            object.__setattr__(self, "size_bytes", size)

    def read_bytes(self) -> bytes:
        """The bytes (read from :attr:`path` when the payload is a file on disk)."""
        if self.data is not None:
            return self.data
        return Path(self.path).read_bytes()

    def open(self) -> BinaryIO:
        """The bytes as a binary file object (the file itself for a payload on disk)."""
        if self.data is not None:
            return io.BytesIO(self.data)
        return open(self.path, "rb")  # the caller closes it

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

    @classmethod
    def from_path(
        cls,
        source: str,
        kind: str,
        path: str | Path,
        meta: dict | None = None,
        fetched_at: str | None = None,
    ) -> Payload:
        """A payload of a file on disk: the hash is streamed, the bytes stay in the file."""
        path = Path(path).resolve()
        with open(path, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        return cls(
            source=source,
            kind=kind,
            uri=str(path),
            content_hash=digest,
            fetched_at=fetched_at or utc_now(),
            meta=dict(meta or {}),
            path=str(path),
        )

    def describe(self) -> dict:
        """Provenance without the bytes (for ``raw.payload`` and logs)."""
        d = asdict(self)
        d.pop("data")
        d.pop("path")
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


def atomic_copy(source: Path, path: Path) -> None:
    """Copy ``source`` to ``path`` via a fsynced temporary file and ``os.replace`` (streamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh, open(source, "rb") as src:
            shutil.copyfileobj(src, fh, 16 * 2**20)
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
        if payload.path is not None:
            atomic_copy(Path(payload.path), target)
        else:
            atomic_write(target, payload.data)
    sidecar = base / f"{payload.content_hash}.json"
    if not sidecar.exists():
        atomic_write(sidecar, json.dumps(payload.describe(), ensure_ascii=False, indent=1).encode())
    return target


class SourceError(RuntimeError):
    """A source could not be read at all (missing folder, no known file, nothing selected)."""


@dataclass
class Batch:
    """Typed input frames of one run and the issues found in them."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # input name -> file name
    payload_of: dict[str, Payload] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    extra_towns: list[str] = field(default_factory=list)  # input towns the registry lacks

    @property
    def errors(self) -> list[Issue]:
        """Issues that block the run."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        """Issues that are loaded and recorded."""
        return [i for i in self.issues if i.severity == "warning"]


@dataclass
class Fetched:
    """What one fetch of a source brought back.

    Attributes
    ----------
    key : what was fetched (a folder, ``town/indicator``), for messages.
    payloads : every payload received, also when the fetch failed half-way.
    observations : rows already parsed while fetching (a source whose next request depends on
        the previous response parses as it goes), in the one observation shape; else None.
    issues : findings that did not stop the fetch.
    failure : the fetch failed (after the source's own retries): one ``error`` issue; the other
        fetches of the run still load and the run ends ``partial``.
    """

    key: str
    payloads: list[Payload] = field(default_factory=list)
    observations: pd.DataFrame | None = None
    issues: list[Issue] = field(default_factory=list)
    failure: Issue | None = None


class Source(Protocol):
    """One source of inputs (its declaration, options and registration: :mod:`tasks.sources.spec`).
    ``options`` are the options the source declares, by name, plus ``offline``
    (:attr:`flows.request.RefreshRequest.options`)."""

    name: str

    def plan(self, options: Mapping[str, Any]) -> tuple[list[Any], list[Issue]]:
        """The fetches to run (one per mapped task) and issues for those not attempted.

        Raises :class:`SourceError` when nothing can be fetched with these options.
        """
        ...

    def session(self, options: Mapping[str, Any], archive_dir: str) -> AbstractContextManager:
        """What the fetches share (e.g. an HTTP client with its raw archive); may yield None."""
        ...

    def fetch(self, session: Any, request: Any) -> Fetched:
        """Fetch one planned request."""
        ...

    def parse(
        self,
        fetched: list[Fetched],
        *,
        options: Mapping[str, Any],
        reference: list[Payload],
        today: date,
    ) -> Batch:
        """Typed, validated frames and every issue of what was fetched."""
        ...


def unique_payloads(fetched: list[Fetched]) -> list[Payload]:
    """Every payload of ``fetched`` (failures included), each content hash once, in order."""
    seen: dict[str, Payload] = {}
    for f in fetched:
        for p in f.payloads:
            seen.setdefault(p.content_hash, p)
    return list(seen.values())
