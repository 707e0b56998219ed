"""Every number, percentage, date and timestamp format of the report, by language.

The report's cells (:mod:`tasks.report.blocks`), headline cards, source lines and charts
(:mod:`tasks.report.charts`, axis ticks through :class:`~matplotlib.ticker.FuncFormatter` and
:class:`LocalScalarFormatter`) all format through these functions, in the language of
:func:`tasks.report.i18n.current_language`:

============  ======================  ==========================
what          ``en``                  ``ru``
============  ======================  ==========================
number        ``1,234,567.89``        ``1 234 567,89`` (U+202F)
negative      ``-1,234.5``            ``-1 234,5``
percentage    ``12.5%``               ``12,5 %`` (U+00A0)
date          ``2024-01-31``          ``31.01.2024``
timestamp     ``2024-01-31 09:05 UTC``  ``31.01.2024 09:05 UTC``
missing       ``–``                   ``—``
============  ======================  ==========================

Russian groups thousands with U+202F NARROW NO-BREAK SPACE: the thin space of Russian
typesetting (GOST 8.417 and the printed statistical yearbooks use a thin space between groups
of three digits), but unlike U+2009 THIN SPACE it never breaks a number across lines in a
narrow table cell or a wrapped chart label, and it is what Unicode recommends for a thin
thousands separator. A percentage keeps a (full-width) no-break space before ``%`` (``12,5 %``).
The minus stays the ASCII hyphen-minus in text, so a number copied into a spreadsheet still
parses; matplotlib's own tick minus (U+2212) is left as it is.

Formats are given as Python format specs (``",.1f"``, ``"+.3f"``, ``"d"``, ``"g"``): grouping is
used where the spec asks for it (``,``), in every language, so years and counts without ``,``
stay ungrouped.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from matplotlib.ticker import FuncFormatter, ScalarFormatter

from tasks.report.i18n import current_language, t

#: Thousands separator and decimal mark of each language.
GROUP = {"en": ",", "ru": "\u202f"}
DECIMAL = {"en": ".", "ru": ","}
#: What goes between a number and ``%``.
PERCENT_SPACE = {"en": "", "ru": "\u00a0"}
DATE = {"en": "%Y-%m-%d", "ru": "%d.%m.%Y"}
TIMESTAMP = {"en": "%Y-%m-%d %H:%M UTC", "ru": "%d.%m.%Y %H:%M UTC"}


def _lang(lang: str | None) -> str:
    return lang or current_language()


def is_missing(v) -> bool:
    """``v`` is None, NaN, NaT or NA (False for values pandas cannot test)."""
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def localize(text: str, lang: str | None = None) -> str:
    """A number formatted the English way (``1,234.5``) in ``lang``'s marks (``1 234,5``)."""
    lang = _lang(lang)
    group, dec = GROUP.get(lang, ","), DECIMAL.get(lang, ".")
    if (group, dec) == (",", "."):
        return text
    return text.replace(",", "\0").replace(".", dec).replace("\0", group)


def number(v, spec: str = "g", lang: str | None = None) -> str:
    """``v`` formatted with the format spec ``spec`` in ``lang`` (the missing mark if NaN/None).

    >>> number(1234567.891, ",.2f", "ru")
    '1\u202f234\u202f567,89'
    """
    if is_missing(v):
        return t("cell.missing")
    return localize(format(v, spec), lang)


def percent(v, spec: str = ".0f", lang: str | None = None, *, scale: float = 100.0) -> str:
    """A share ``v`` (0-1, ``scale=100``) or a percentage (``scale=1``) as ``12%`` / ``12 %``."""
    if is_missing(v):
        return t("cell.missing")
    lang = _lang(lang)
    return f"{number(scale * v, spec, lang)}{PERCENT_SPACE.get(lang, '')}%"


def p_value(v, lang: str | None = None) -> str:
    """A p-value: two significant digits, scientific notation below 0.0001."""
    if is_missing(v):
        return t("cell.missing")
    return number(v, ".2g" if v >= 1e-4 else ".1e", lang)


def day(v, lang: str | None = None) -> str:
    """A date as ``YYYY-MM-DD`` (en) or ``DD.MM.YYYY`` (ru)."""
    if is_missing(v):
        return t("cell.missing")
    stamp = v if isinstance(v, date | datetime) else pd.Timestamp(v)
    return stamp.strftime(DATE.get(_lang(lang), DATE["en"]))


def timestamp(v, lang: str | None = None) -> str:
    """A timestamp in UTC as ``YYYY-MM-DD HH:MM UTC`` (en) or ``DD.MM.YYYY HH:MM UTC`` (ru)."""
    if is_missing(v):
        return t("cell.missing")
    stamp = pd.Timestamp(v)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    return stamp.strftime(TIMESTAMP.get(_lang(lang), TIMESTAMP["en"]))


# --------------------------------------------------------------------------- chart axes


def tick_formatter(spec: str) -> FuncFormatter:
    """Axis ticks formatted with ``spec`` in the current language (e.g. ``",.0f"``)."""
    lang = current_language()  # the chart is drawn later, outside the language block
    return FuncFormatter(lambda v, _pos: number(v, spec, lang))


def percent_tick_formatter(absolute: bool = False) -> FuncFormatter:
    """Axis ticks already in percent (``40`` -> ``40%`` / ``40 %``), ``abs`` if ``absolute``."""
    lang = current_language()
    return FuncFormatter(
        lambda v, _pos: percent(abs(v) if absolute else v, ".0f", lang, scale=1.0),
    )


class LocalScalarFormatter(ScalarFormatter):
    """matplotlib's default tick formatter, its decimal mark in the chart's language."""

    def __init__(self, lang: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lang = lang

    def __call__(self, x, pos=None) -> str:
        return localize(super().__call__(x, pos), self.lang)

    def get_offset(self) -> str:
        return localize(super().get_offset(), self.lang)


def localize_axes(fig) -> None:
    """Give every default-formatted axis of ``fig`` the current language's decimal mark."""
    lang = current_language()
    if localize("0.5", lang) == "0.5":
        return
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(LocalScalarFormatter(lang))
