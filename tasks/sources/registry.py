"""Every source the refresh flow can run, by name (``monotowns run --source NAME``)."""

from __future__ import annotations

from tasks.sources.base import Source
from tasks.sources.bundled import BundledSource
from tasks.sources.files import FilesSource
from tasks.sources.taldau.source import TaldauSource

SOURCES: dict[str, Source] = {
    "bundled": BundledSource(),
    "files": FilesSource(),
    "taldau": TaldauSource(),
}
