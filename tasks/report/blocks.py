"""Building blocks of a report section: the :class:`Section` builder and formatted table cells.

A section module fills a :class:`Section` (intro, headings, texts, tables, charts) and returns
:meth:`Section.context`, a plain dict the template renders. Charts stay
:class:`~tasks.report.charts.Chart` objects here; :mod:`tasks.report.build` draws them to files.
Every number format of the report is one of the helpers below, each a thin wrapper of
:mod:`tasks.report.formats` (the number, percentage and date formats of each language).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tasks.report import formats
from tasks.report.charts import Chart
from tasks.report.i18n import t, value_label


@dataclass
class Section:
    """One ``<section>`` of the report, filled by a section module."""

    id: str
    title: str = ""
    intro: str = ""
    status: str = "empty"  # ok | empty | error
    empty_message: str = ""
    error: str = ""
    blocks: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.title = self.title or t(f"sections.{self.id}.title")

    def text(self, text: str) -> None:
        self.blocks.append({"kind": "text", "text": text})

    def heading(self, text: str) -> None:
        self.blocks.append({"kind": "heading", "text": text})

    def empty(self, text: str) -> None:
        self.blocks.append({"kind": "empty", "text": text})

    def kv(self, items: list[tuple[str, str]]) -> None:
        self.blocks.append({"kind": "kv", "pairs": items})

    def table(
        self, header: list[str], rows: list[list[dict]], caption: str = "", table_id: str = ""
    ) -> None:
        """A table; ``table_id`` becomes its HTML id (a cell with ``href`` is a link)."""
        self.blocks.append(
            {"kind": "table", "header": header, "rows": rows, "caption": caption, "id": table_id}
        )

    def chart(self, chart: Chart, caption: str = "") -> None:
        """A chart (drawn to PNG/SVG and inlined when the report is built); the section is ok."""
        self.blocks.append({"kind": "chart", "chart": chart, "caption": caption or chart.alt})
        self.status = "ok"

    def context(self) -> dict:
        """What the template needs: id, title, intro, status, empty_message, error, blocks."""
        return {
            "id": self.id,
            "title": self.title,
            "intro": self.intro,
            "status": self.status,
            "empty_message": self.empty_message,
            "error": self.error,
            "blocks": self.blocks,
        }


def header(section: str, keys: list[str]) -> list[str]:
    """Table header texts ``sections.<section>.header.<key>`` for ``keys``."""
    return [t(f"sections.{section}.header.{k}") for k in keys]


is_na = formats.is_missing


def cell(v, fmt: str | Callable | None = None, **extra) -> dict:
    """A table cell: formatted text plus css class (``num`` for numbers, ``na`` if missing)."""
    if is_na(v):
        return {"text": t("cell.missing"), "cls": "na", **extra}
    if callable(fmt):
        return {"text": fmt(v), "cls": "num", **extra}
    if isinstance(v, bool | np.bool_):
        return {"text": t("cell.yes") if v else t("cell.no"), "cls": "", **extra}
    if isinstance(v, int | float | np.integer | np.floating):
        spec = fmt or ("g" if isinstance(v, float | np.floating) else "d")
        return {"text": formats.number(v, spec), "cls": "num", **extra}
    text = str(v)
    return {"text": text, "cls": "short" if len(text) <= 12 else "", **extra}


def badge(text, kind: str | None = None, group: str = "status") -> dict:
    """A coloured status badge (css class from the text: ``not supported`` -> ``not-supported``).

    The text shown is the catalogue's ``values.<group>.<text>`` (the text itself if absent).
    """
    if is_na(text):
        return cell(None)
    k = (kind or str(text)).strip().lower().replace(" ", "-").replace("_", "-")
    return {"text": value_label(group, text), "cls": "", "badge": k}


def yes_no(flag) -> dict:
    """A yes/no badge for a boolean (a missing cell if NULL)."""
    if is_na(flag):
        return cell(None)
    return {
        "text": t("cell.yes") if flag else t("cell.no"),
        "cls": "",
        "badge": "yes" if flag else "no",
    }


def long_text(text, width: int = 70) -> dict:
    """Long text folded into a ``<details>`` element (no script needed)."""
    if is_na(text) or not str(text).strip():
        return cell(None)
    s = str(text)
    if len(s) <= width:
        return {"text": s, "cls": "text"}
    return {"text": clip(s, width), "cls": "text", "details": s}


def clip(text: str, width: int) -> str:
    """``text`` cut to about ``width`` characters, at a space if there is one, plus `` ...``."""
    s = " ".join(str(text).split())
    if len(s) <= width:
        return s
    cut = s[:width]
    if " " in cut[width // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + " ..."


def first(frame: pd.DataFrame, col: str) -> str:
    """The distinct non-blank values of ``frame[col]``, sorted and comma-separated."""
    if col not in frame.columns:
        return ""
    vals = frame[col].dropna().astype(str)
    vals = vals[vals.str.strip() != ""]
    return ", ".join(sorted(set(vals)))


def ci_header(frame: pd.DataFrame) -> str:
    """``95% CI`` from the frame's ``ci_level`` (``CI`` if absent or mixed)."""
    if "ci_level" not in frame.columns:
        return t("cell.ci")
    levels = pd.to_numeric(frame["ci_level"], errors="coerce").dropna().unique()
    if len(levels) != 1:
        return t("cell.ci")
    return t("cell.ci_level", level=formats.percent(levels[0], "g"))


def ci_range(r, fmt: str = ".2f", sep: str | None = None) -> Callable:
    """Cell formatter ``ci_low - ci_high`` for row ``r`` (``fmt`` for both ends).

    ``sep`` defaults to the catalogue's ``cell.range`` (`` - `` / `` ... ``).
    """
    between = t("cell.range") if sep is None else sep
    return lambda v: f"{formats.number(v, fmt)}{between}{formats.number(r.get('ci_high'), fmt)}"


def num(spec: str) -> Callable:
    """Cell formatter: a number with the format spec ``spec`` in the report's language."""
    return lambda v: formats.number(v, spec)


def pct(v) -> str:
    """A share (0-1) as a whole percentage: ``12%`` / ``12 %``."""
    return formats.percent(v, ".0f")


def pct_signed(v) -> str:
    """A growth rate (0-1) as a signed percentage: ``+12.5%`` / ``+12,5 %``."""
    return formats.percent(v, "+.1f")


def p_value(v) -> str:
    return formats.p_value(v)


def ts(v) -> str:
    """A timestamp as ``YYYY-MM-DD HH:MM UTC`` (ru ``DD.MM.YYYY HH:MM UTC``; missing mark if NA)."""
    return formats.timestamp(v)


def day(v) -> str:
    """A date as ``YYYY-MM-DD`` (ru ``DD.MM.YYYY``; the missing mark if NULL)."""
    return formats.day(v)
