"""The report's HTML: ``templates/report.html.j2`` (Jinja2, autoescaped) filled with sections."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from tasks.report.blocks import ts
from tasks.report.i18n import current_language, message, t, value_label
from tasks.report.snapshot import Snapshot

TEMPLATE = "report.html.j2"
#: A comma, unless between digits (a thousands separator or a decimal comma: never broken).
_COMMA = re.compile(r"(?<!\d),|,(?!\d)")


def wbr(text) -> Markup:
    """Escaped text with line-break opportunities after ``_``, ``(``, ``:``, ``,`` and ``/``.

    Identifiers like ``table6_job_vs_entrepreneurship_counts(table5)`` then wrap at their parts
    instead of mid-word, and copy back unchanged (``<wbr>`` is not a character). A comma between
    digits (``15,175.1``, ``0,500``) is part of a number and gets none.
    """
    out = str(escape(str(text)))
    for ch_ in ("_", "(", ":", "/"):
        out = out.replace(ch_, ch_ + "<wbr>")
    return Markup(_COMMA.sub(",<wbr>", out))


def tm(key: str, /, **values: object) -> Markup:
    """Message ``key`` as markup: the text escaped, ``values`` escaped unless already markup."""
    return Markup(escape(message(key))).format(**values)


def link(href: str, text: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, text)


def code(text: str) -> Markup:
    return Markup("<code>{}</code>").format(text)


@cache
def environment() -> jinja2.Environment:
    """The template environment: package templates, autoescape, ``wbr`` filter, ``t``/``tm``."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tasks.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["wbr"] = wbr
    env.globals.update(t=t, tm=tm, link=link, code=code)
    return env


def subtitle(snap: Snapshot, generated: datetime) -> list[str]:
    """The lines under the title: towns, run, warehouse and when the report was generated."""
    run = snap.latest_run
    towns = sorted(
        {snap.town_name(x) for x in snap.get("results.grp_by_year").get("town_id", [])}
        | {snap.town_name(x) for x in snap.get("results.labour_market").get("town_id", [])}
    )
    registry = snap.get("results.town_profile")
    line = t("report.towns", towns=", ".join(towns)) if towns else t("report.no_towns")
    if not registry.empty:
        with_data = snap.get("core.v_town_series").get("town_id", pd.Series(dtype=str)).nunique()
        study = ", ".join(towns) if towns else t("cell.missing")
        line = t("report.registry", n=len(registry), with_data=with_data, study=study)
    return [
        line,
        (
            t(
                "report.run",
                run_id=run["run_id"],
                status=value_label("status", run.get("status")),
                started=ts(run.get("started_at")),
            )
            if run
            else t("report.no_run")
        ),
        t(
            "report.warehouse",
            path=Path(snap.warehouse).resolve(),
            generated=ts(generated),
        ),
    ]


def render_html(snap: Snapshot, parts: list[dict], head: list[dict]) -> str:
    """The report's HTML text from the parts and their section contexts (charts already
    drawn) and the headline."""
    generated = datetime.now(UTC).replace(microsecond=0)
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            lang=current_language(),
            title=t("report.title"),
            subtitle=subtitle(snap, generated),
            parts=parts,
            headline=head,
            footer=t("report.footer"),
        )
    )
