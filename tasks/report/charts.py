"""The report's charts: plain functions of frames returning a :class:`Chart` (a matplotlib figure).

Every chart has a title, units on its axes and a source line naming the warehouse table (and the
study table it comes from). Figures are built with :class:`matplotlib.figure.Figure` directly
(no pyplot, no global backend state); :func:`render` saves PNG and SVG files and returns the SVG
text that the HTML report inlines. SVG text stays text (``svg.fonttype = none``): the charts are
small, searchable and crisp at any zoom. Every text comes from the message catalogue and every
number (labels and axis ticks) from :mod:`tasks.report.formats`, in the language current when
the chart function is called.

This module is the public entry: the chart functions live in :mod:`tasks.report.study_charts`
(GRP, labour, Tables 4 and 7) and :mod:`tasks.report.result_charts` (correlations, hypotheses,
audit, quality, row counts), the style and shared helpers in :mod:`tasks.report.chart_style`;
here each chart function is wrapped by :func:`tasks.report.cache.keyed` and :func:`render`
writes the files.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import matplotlib as mpl

from tasks.report import cache, result_charts, study_charts
from tasks.report.chart_style import (
    ACCENT,
    ANSWER_COLOUR,
    ANSWER_ORDER,
    DPI,
    MUTED,
    SECTOR_COLOUR,
    SECTORS,
    SEVERITY_COLOUR,
    STATUS_COLOUR,
    STYLE,
    VERDICT_COLOUR,
    Chart,
    _figure,
    _finish,
    style,
)

__all__ = [
    "ACCENT",
    "ANSWER_COLOUR",
    "ANSWER_ORDER",
    "DPI",
    "MUTED",
    "SECTORS",
    "SECTOR_COLOUR",
    "SEVERITY_COLOUR",
    "STATUS_COLOUR",
    "STYLE",
    "VERDICT_COLOUR",
    "Chart",
    "_figure",  # town_charts draws with these two shared helpers, imported from here
    "_finish",
    "correlation_forest",
    "grp_sectors",
    "grp_structure",
    "hypotheses",
    "labour_market",
    "perception",
    "quality",
    "render",
    "reproduction",
    "row_counts",
    "style",
    "support_measures",
]

# each chart carries the hash of what it shows (tasks/report/cache.py): unchanged, not redrawn
grp_sectors, grp_structure, labour_market, perception, support_measures = map(
    cache.keyed,
    (
        study_charts.grp_sectors,
        study_charts.grp_structure,
        study_charts.labour_market,
        study_charts.perception,
        study_charts.support_measures,
    ),
)
correlation_forest, hypotheses, reproduction, quality, row_counts = map(
    cache.keyed,
    (
        result_charts.correlation_forest,
        result_charts.hypotheses,
        result_charts.reproduction,
        result_charts.quality,
        result_charts.row_counts,
    ),
)

_SVG_HEAD = re.compile(r"^.*?(?=<svg)", re.S)


def render(chart: Chart, out_dir: str | Path) -> dict[str, str]:
    """Write ``<name>.png`` and ``<name>.svg`` into ``out_dir``; return their paths and the SVG.

    The SVG is reproducible (no date, ids salted by the chart name) and its ids are unique per
    chart, so several can be inlined into one HTML document.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    png, svg_path = out / f"{chart.name}.png", out / f"{chart.name}.svg"
    svg_text = cache.cached_svg(chart, out)  # the same inputs drawn before: not drawn again
    if svg_text is None:
        with mpl.rc_context({**STYLE, "svg.hashsalt": chart.name}):
            buf = io.StringIO()
            chart.figure.savefig(buf, format="svg", metadata={"Date": None})
            chart.figure.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
        svg_text = buf.getvalue()
        svg_path.write_text(svg_text, encoding="utf-8")
        cache.remember(chart, out)
    inline = _SVG_HEAD.sub("", svg_text, count=1)
    inline = inline.replace(
        "<svg ", f'<svg role="img" aria-label="{_attr(chart.alt)}" class="chart" ', 1
    )
    # matplotlib's ids (figure_1, axes_1, patch_1, ...) repeat across charts: prefix them
    inline = re.sub(r'\bid="([^"]+)"', rf'id="{chart.name}-\1"', inline)
    inline = re.sub(r"url\(#([^)]+)\)", rf"url(#{chart.name}-\1)", inline)
    inline = re.sub(r'href="#([^"]+)"', rf'href="#{chart.name}-\1"', inline)
    return {"png": str(png), "svg": str(svg_path), "inline": inline}


def _attr(text: str) -> str:
    return html.escape(str(text), quote=True)
