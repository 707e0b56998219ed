"""The one error of reading: a payload that cannot be read as a table at all."""

from __future__ import annotations


class ReadError(ValueError):
    """The payload cannot be read as a table at all (empty, not CSV/XLSX, truncated)."""
