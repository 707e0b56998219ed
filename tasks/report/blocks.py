"""Building blocks of a report section: the :class:`Section` builder and formatted table cells.

A section module fills a :class:`Section` (intro, headings, texts, tables, charts) and returns
:meth:`Section.context`, a plain dict the template renders. Charts stay
:class:`~tasks.report.charts.Chart` objects here; :mod:`tasks.report.build` draws them to files.
Every number format of the report is one of the helpers below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tasks.report.charts import Chart
from tasks.report.i18n import t


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

    def table(self, header: list[str], rows: list[list[dict]], caption: str = "") -> None:
        self.blocks.append({"kind": "table", "header": header, "rows": rows, "caption": caption})

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


def is_na(v) -> bool:
    """``v`` is None, NaN, NaT or NA (False for values pandas cannot test)."""
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def cell(v, fmt: str | Callable | None = None, **extra) -> dict:
    """A table cell: formatted text plus css class (``num`` for numbers, ``na`` if missing)."""
    if is_na(v):
        return {"text": t("cell.missing"), "cls": "na", **extra}
    if callable(fmt):
        return {"text": fmt(v), "cls": "num", **extra}
    if isinstance(v, bool | np.bool_):
        return {"text": t("cell.yes") if v else t("cell.no"), "cls": "", **extra}
    if isinstance(v, int | float | np.integer | np.floating):
        text = format(v, fmt) if fmt else (f"{v:g}" if isinstance(v, float) else f"{v}")
        return {"text": text, "cls": "num", **extra}
    text = str(v)
    return {"text": text, "cls": "short" if len(text) <= 12 else "", **extra}


def badge(text, kind: str | None = None) -> dict:
    """A coloured status badge (css class from the text: ``not supported`` -> ``not-supported``)."""
    if is_na(text):
        return cell(None)
    k = (kind or str(text)).strip().lower().replace(" ", "-").replace("_", "-")
    return {"text": str(text).replace("_", " "), "cls": "", "badge": k}


def yes_no(flag) -> dict:
    """A yes/no badge for a boolean (a missing cell if NULL)."""
    if is_na(flag):
        return cell(None)
    return badge(t("cell.yes") if flag else t("cell.no"), "yes" if flag else "no")


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
    return t("cell.ci_level", level=f"{100 * levels[0]:g}") if len(levels) == 1 else t("cell.ci")


def ci_range(r, fmt: str = ".2f", sep: str = " - ") -> Callable:
    """Cell formatter ``ci_low - ci_high`` for row ``r`` (``fmt`` for both ends)."""
    return lambda v: f"{v:{fmt}}{sep}{r.get('ci_high'):{fmt}}"


def pct(v) -> str:
    return f"{100 * v:.0f}%"


def pct_signed(v) -> str:
    return f"{100 * v:+.1f}%"


def p_value(v) -> str:
    return f"{v:.2g}" if v >= 1e-4 else f"{v:.1e}"


def ts(v) -> str:
    """A timestamp as ``YYYY-MM-DD HH:MM UTC`` (the missing mark if NULL)."""
    if is_na(v):
        return t("cell.missing")
    stamp = pd.Timestamp(v)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%d %H:%M UTC")
