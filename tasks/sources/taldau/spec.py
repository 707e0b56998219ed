"""What the Taldau source declares: its ``monotowns run`` options, that it is live, and what an
offline replay reads (:class:`~tasks.sources.spec.SourceSpec`). Standard library only."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tasks.sources.spec import Option, SourceSpec, sha256_file

#: The environment variable naming the API base URL (read by :mod:`flows.settings` only).
ENV_URL = "MONOTOWNS_TALDAU_URL"
#: The public API (the client's ``DEFAULT_BASE_URL``; here for ``--help`` without importing it).
PUBLIC_URL = "https://taldau.stat.gov.kz/ru/Api/"


def _digest(items: list[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for name, value in items:
        h.update(name.encode("utf-8") + b"\0" + value.encode("utf-8") + b"\n")
    return h.hexdigest()


def archive_part(archive_dir: str | Path) -> str:
    """Hash of what an offline replay would read: every archived request's latest successful
    response (request hash, body hash, fetch time) in ``<archive>/taldau/requests`` (the layout
    of :class:`~tasks.sources.taldau.archive.RequestArchive`)."""
    requests = Path(archive_dir) / "taldau" / "requests"
    items = []
    if requests.is_dir():
        for meta in sorted(requests.glob("*.json")):
            try:
                ok = json.loads(meta.read_text(encoding="utf-8")).get("latest_ok") or {}
            except (OSError, ValueError):
                ok = {"unreadable": True}
            items.append((meta.stem, f"{ok.get('content_hash')}@{ok.get('fetched_at')}"))
    return _digest(items)


def _file_part(path: str | None) -> str:
    if not path:
        return "shipped"
    return sha256_file(path) if Path(path).is_file() else "missing"


def _inputs(options: Mapping[str, Any], archive_dir: str) -> dict[str, str]:
    """An offline replay's archive index and the registry files given as options."""
    return {
        "taldau/archive": archive_part(archive_dir),
        "taldau/towns": _file_part(options.get("taldau_towns")),
        "taldau/indicators": _file_part(options.get("taldau_indicators")),
    }


SOURCE = SourceSpec(
    name="taldau",
    help="the statistics bureau's Taldau API, over the network",
    implementation="tasks.sources.taldau.source:TaldauSource",
    live=True,
    options=(
        Option(
            "taldau_url",
            f"API base URL (default: ${ENV_URL} or the public {PUBLIC_URL})",
            metavar="URL",
            env=ENV_URL,
        ),
        Option(
            "towns", "fetch only this town (repeatable)", flag="--town", metavar="ID", many=True
        ),
        Option(
            "indicators",
            "fetch only this indicator (repeatable)",
            flag="--indicator",
            metavar="ID",
            many=True,
        ),
        Option(
            "taldau_towns", "towns registry replacing the shipped one", metavar="CSV", path=True
        ),
        Option(
            "taldau_indicators",
            "indicator registry replacing the shipped one",
            metavar="CSV",
            path=True,
        ),
    ),
    inputs=_inputs,
)
