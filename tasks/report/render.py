"""The report's HTML: ``templates/report.html.j2`` (Jinja2, autoescaped) filled with sections."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from tasks.report.blocks import ts
from tasks.report.i18n import current_language, message, t
from tasks.report.snapshot import Snapshot

TEMPLATE = "report.html.j2"


def wbr(text) -> Markup:
    """Escaped text with line-break opportunities after ``_``, ``(``, ``:``, ``,`` and ``/``.

    Identifiers like ``table6_job_vs_entrepreneurship_counts(table5)`` then wrap at their parts
    instead of mid-word, and copy back unchanged (``<wbr>`` is not a character).
    """
    out = str(escape(str(text)))
    for ch_ in ("_", "(", ":", ",", "/"):
        out = out.replace(ch_, ch_ + "<wbr>")
    return Markup(out)


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
    return [
        t("report.towns", towns=", ".join(towns)) if towns else t("report.no_towns"),
        (
            t(
                "report.run",
                run_id=run["run_id"],
                status=run.get("status"),
                started=ts(run.get("started_at")),
            )
            if run
            else t("report.no_run")
        ),
        t(
            "report.warehouse",
            path=Path(snap.warehouse).resolve(),
            generated=generated.strftime("%Y-%m-%d %H:%M UTC"),
        ),
    ]


def render_html(snap: Snapshot, sections: list[dict], head: list[dict]) -> str:
    """The report's HTML text from the section contexts (charts already drawn) and headline."""
    generated = datetime.now(UTC).replace(microsecond=0)
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            lang=current_language(),
            title=t("report.title"),
            subtitle=subtitle(snap, generated),
            sections=sections,
            headline=head,
            footer=t("report.footer"),
        )
    )
