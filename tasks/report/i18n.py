"""The report's message catalogue: every user-visible string, by key, from ``messages/<lang>.yaml``.

``t("sections.grp.title")`` returns the text in the current language; ``t(key, town="X")`` fills
the ``{town}`` placeholder. The language is English unless :func:`language` selects another
catalogue for a block of code (a context variable, so concurrent builds do not interfere).
A key missing from the catalogue raises :class:`KeyError`: a typo fails loudly.
Data values stored in English (verdicts, statuses, methods) read through :func:`value_label`.
Every catalogue has the same keys and placeholders as ``en.yaml`` (a test checks it).

A study package brings the text only its part of the report needs in its own
``messages/<lang>.yaml`` (``tasks/studies/<study>/messages/``, found by
:func:`warehouse.plugins.study_files`); :func:`catalogue` merges them into the generic one. A key
defined twice (generic and study, or two studies) is an error, never silently overridden.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources

import yaml

from warehouse.plugins import study_files

DEFAULT_LANG = "en"
MESSAGES_PACKAGE = "tasks.report.messages"

_lang: ContextVar[str] = ContextVar("report_lang", default=DEFAULT_LANG)


def _flatten(tree: Mapping, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = "" if value is None else str(value)
    return out


def merge_files(generic, files, what: str) -> dict[str, str]:
    """``generic`` (a flat mapping) plus the flattened YAML ``files``; a key in two is an error."""
    out = dict(generic)
    for path in files:
        for key, text in _flatten(yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if key in out:
                raise ValueError(f"{path}: {what} key {key!r} is already defined elsewhere")
            out[key] = text
    return out


@cache
def catalogue(lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Every message of ``messages/<lang>.yaml`` and of the studies' ``messages/<lang>.yaml``
    as ``{"group.key": text}``."""
    path = resources.files(MESSAGES_PACKAGE).joinpath(f"{lang}.yaml")
    generic = _flatten(yaml.safe_load(path.read_text(encoding="utf-8")))
    files = [f for fs in study_files("messages", f"{lang}.yaml").values() for f in fs]
    return merge_files(generic, [f for f in files if f.name == f"{lang}.yaml"], "message")


def current_language() -> str:
    """The language the report is being written in."""
    return _lang.get()


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Write the report in ``lang`` inside the ``with`` block."""
    catalogue(lang)  # fail here, not half-way through a report
    token = _lang.set(lang)
    try:
        yield
    finally:
        _lang.reset(token)


def message(key: str) -> str:
    """The text of message ``key`` in the current language, placeholders left as they are."""
    return catalogue(_lang.get())[key]


def optional(key: str, default: str) -> str:
    """The text of message ``key`` in the current language, ``default`` if it has none."""
    return catalogue(_lang.get()).get(key, default)


def value_label(group: str, value: object) -> str:
    """A data value's display text: ``values.<group>.<value>`` if the catalogue has it.

    Data values such as a verdict (``not supported``), an audit status (``not_reproducible``),
    a severity or a correlation method are stored in English in the warehouse; the catalogue
    says how each reads (``values.verdict.not_supported``). A value the catalogue does not know
    is shown as it is, with ``_`` as spaces (new values never break the report).
    """
    text = str(value)
    key = "_".join(text.strip().lower().replace("-", "_").split())
    return catalogue(_lang.get()).get(f"values.{group}.{key}", text.replace("_", " "))


def t(key: str, /, **values: object) -> str:
    """The message ``key`` in the current language, ``{placeholders}`` filled from ``values``."""
    return message(key).format(**values)
