"""Decoding Taldau bodies and reading their small values (no network, no files).

:class:`TaldauParseError`, JSON decoding (a UTF-8 BOM, keys with stray spaces:
:func:`decode_json`, :func:`payload_json`) and the small value parsers (integers, years from a
period date ``31.12.2020`` or an ``MMYYYY`` code, values as strings with ``"x"`` = suppressed:
:func:`parse_value`). Used by :mod:`tasks.sources.taldau.parse`, which re-exports these names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from tasks.numbers import read_number
from tasks.sources.base import Payload
from tasks.sources.taldau.archive import TaldauError


class TaldauParseError(TaldauError, ValueError):
    """A Taldau body that cannot be read as the expected shape."""

    def __init__(self, reason: str, *, endpoint: str, params: Mapping[str, Any] | None) -> None:
        self.reason = reason
        shown = dict(sorted((params or {}).items()))
        super().__init__(
            f"Taldau {endpoint} params={shown}: {reason}", endpoint=endpoint, params=params
        )


# --------------------------------------------------------------------------------------------
# JSON decoding


def _where(payload: Payload) -> tuple[str, dict]:
    endpoint = payload.meta.get("endpoint") or payload.kind
    return str(endpoint), dict(payload.meta.get("params") or {})


def _strip_keys(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k).strip(): _strip_keys(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_strip_keys(v) for v in obj]
    return obj


def decode_json(body: bytes, *, endpoint: str, params: Mapping[str, Any] | None = None) -> Any:
    """Decode a Taldau body: strip a UTF-8 BOM and stray spaces in keys; clear errors otherwise."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TaldauParseError(
            f"body is not UTF-8 ({exc})", endpoint=endpoint, params=params
        ) from exc
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise TaldauParseError("empty body", endpoint=endpoint, params=params)
    if text.startswith("<"):
        snippet = re.sub(r"\s+", " ", text[:80])
        raise TaldauParseError(
            f"HTML (or XML) instead of JSON: {snippet!r}", endpoint=endpoint, params=params
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TaldauParseError(
            f"invalid or truncated JSON ({exc.msg} at char {exc.pos} of {len(text)})",
            endpoint=endpoint,
            params=params,
        ) from exc
    return _strip_keys(data)


def is_json_body(body: bytes) -> bool:
    """True when :func:`decode_json` would succeed."""
    try:
        decode_json(body, endpoint="-")
    except TaldauParseError:
        return False
    return True


def payload_json(payload: Payload) -> Any:
    """:func:`decode_json` of a payload, with its endpoint and parameters for error messages."""
    endpoint, params = _where(payload)
    return decode_json(payload.data, endpoint=endpoint, params=params)


# --------------------------------------------------------------------------------------------
# small value parsers


def _to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _split_ints(value: Any) -> list[int] | None:
    """``"67 + 915"`` / ``"741880,741885"`` / ``[67, 915]`` / ``67`` -> list of ints."""
    if isinstance(value, list):
        parts: list[Any] = value
    elif isinstance(value, str):
        parts = [p for p in re.split(r"[+,;\s]+", value) if p]
    else:
        parts = [value]
    out = [_to_int(p) for p in parts]
    if not out or any(v is None for v in out):
        return None
    return [int(v) for v in out if v is not None]


_DATE_DMY = re.compile(r"^\s*\d{1,2}\.(\d{1,2})\.(\d{4})\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_CODE_MMYYYY = re.compile(r"^\s*y?(\d{2})(\d{4})\s*$")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def year_from_period(date: Any = None, name: Any = None) -> int | None:
    """Year of a period: ``31.12.2020``, ``2020-12-31``, ``122020``/``y122020`` or ``2020 год``."""
    if isinstance(date, str) and date.strip():
        if m := _DATE_DMY.match(date):
            return int(m.group(2))
        if m := _DATE_ISO.match(date):
            return int(m.group(1))
        if (m := _CODE_MMYYYY.match(date)) and 1 <= int(m.group(1)) <= 12:
            return int(m.group(2))
    if isinstance(name, str) and (m := _YEAR_IN_TEXT.search(name)):
        return int(m.group(1))
    return None


def raw_text(raw: Any) -> str:
    """The value as text exactly as received (JSON text for non-strings, ``""`` when absent)."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    return json.dumps(raw, ensure_ascii=False)


def parse_value(raw: Any) -> tuple[float, str, str]:
    """Parse one Taldau value into ``(value, value_status, note)``.

    The ``taldau`` dialect of the project's number parser; its rules are in
    :func:`tasks.numbers.taldau_reading`.
    """
    reading = read_number(raw, "taldau")
    return reading.value, reading.status, reading.note
