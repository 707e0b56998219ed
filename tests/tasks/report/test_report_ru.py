"""The Russian report (``monotowns report --lang ru``): every heading in Russian, Russian number
formats, Russian names from the registry and the codebook; the English report as before."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from flows.cli import main
from tasks.report.build import BUILDERS
from tasks.report.i18n import current_language, language
from tasks.report.labels import localized, territory_kind
from tasks.report.snapshot import read_snapshot

CYRILLIC = re.compile("[А-Яа-яЁё]")
HEADINGS = {"h1", "h2", "h3", "h4", "th", "caption", "figcaption", "title"}


class Headings(HTMLParser):
    """The text of every heading element (h1-h4, th, caption, figcaption, title)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, list[str]]] = []
        self.found: list[tuple[str, str]] = []
        self.in_svg = 0

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.in_svg += 1
        if tag in HEADINGS and not self.in_svg:
            self.open.append((tag, []))

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_svg -= 1
        if self.open and tag == self.open[-1][0] and not self.in_svg:
            name, parts = self.open.pop()
            self.found.append((name, " ".join("".join(parts).split())))

    def handle_data(self, data):
        for _, parts in self.open:
            parts.append(data)


def headings(html: str) -> list[tuple[str, str]]:
    p = Headings()
    p.feed(Path(html).read_text(encoding="utf-8"))
    return p.found


def test_every_heading_of_the_russian_report_is_russian(published_ru):
    found = headings(published_ru["html"])
    kinds = {k for k, _ in found}
    assert {"h1", "h2", "h3", "th", "caption", "figcaption", "title"} <= kinds
    bad = [(k, text) for k, text in found if text and not CYRILLIC.search(text)]
    assert not bad, f"headings without Cyrillic text: {bad}"
    assert not published_ru["errors"]
    assert published_ru["lang"] == "ru"


def test_every_chart_title_and_axis_label_is_russian(warehouse):
    """Chart titles (figure, panels), axis labels and legend entries, straight from matplotlib."""
    bad: list[tuple[str, str]] = []
    n_charts = 0
    with language("ru"):
        snap = localized(read_snapshot(warehouse))
        for builder in BUILDERS.values():
            for block in builder(snap)["blocks"]:
                if block["kind"] != "chart":
                    continue
                n_charts += 1
                chart = block["chart"]
                fig = chart.figure
                texts = [chart.title, fig.get_suptitle()]
                for ax in fig.axes:
                    texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
                    legend = ax.get_legend()
                    texts += [x.get_text() for x in legend.get_texts()] if legend else []
                for legend in fig.legends:
                    texts += [x.get_text() for x in legend.get_texts()]
                bad += [(chart.name, x) for x in texts if x.strip() and not CYRILLIC.search(x)]
                fig.clear()
    assert n_charts >= 9
    assert not bad, f"chart texts without Cyrillic: {bad}"
    assert current_language() == "en"


def test_russian_numbers_names_and_labels(published_ru):
    html = Path(published_ru["html"]).read_text(encoding="utf-8")
    assert '<html lang="ru">' in html
    head = {h["figure"]: h["value"] for h in published_ru["headline"]}
    grp = next(v for k, v in head.items() if k.startswith("ВРП, Хромтау, 2023, промышленность"))
    assert grp == "15\u202f175,1"  # narrow no-break space between thousands, decimal comma
    assert "Хромтау" in html and "Khromtau</h3>" not in html  # core.town.name_ru
    assert "Информационно-консультационная поддержка" in html  # the codebook's ru label
    assert re.search(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2} UTC", html)  # DD.MM.YYYY
    assert not re.search(r">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<", html)
    assert re.search(r"\d+,\d+\u00a0%", html)  # 12,5 %
    svg = Path(published_ru["charts"]["grp_sectors-khromtau"]["svg"]).read_text(encoding="utf-8")
    assert "20\u202f000" in svg and "20,000" not in svg  # axis ticks


def test_english_report_unchanged(published):
    """The default report stays English: English headings, English number and date formats."""
    found = headings(published["html"])
    assert not [(k, x) for k, x in found if CYRILLIC.search(x)]
    html = Path(published["html"]).read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert {"GRP by sector", "Labour market", "Run metadata"} <= {x for k, x in found if k == "h2"}
    head = {h["figure"]: h["value"] for h in published["headline"]}
    assert head["GRP Khromtau 2023, industry + services (mln KZT)"] == "15,175.1"
    assert re.search(r">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<", html)
    assert "\u202f" not in html
    assert published["lang"] == "en"


@pytest.mark.slow  # a whole report drawn from scratch
def test_cli_lang(warehouse, tmp_path, capsys):
    out = tmp_path / "ru"
    assert main(["report", "--warehouse", warehouse, "--out", str(out), "--lang", "ru"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Отчёт обсерватории моногородов" in html
    with pytest.raises(SystemExit) as exc:
        main(["report", "--warehouse", warehouse, "--lang", "de"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_names_from_the_registry(warehouse):
    """Town names are the registry's (core.town), in the report's language; Kazakh beside."""
    snap = read_snapshot(warehouse)
    assert snap.town_name("khromtau") == "Khromtau"
    with language("ru"):
        assert snap.town_name("khromtau") == "Хромтау"
        assert snap.town_name("no_such_town") == "no_such_town"
    assert snap.town_name("khromtau", "kk") == "Хромтау"
    assert snap.town_name_kk("khromtau") == "Хромтау"
    assert snap.town_name_kk("no_such_town") is None


def test_territory_kinds_follow_the_contract():
    kinds = ["republic", "oblast", "district", "city_administration", "town"]
    assert [territory_kind(k) for k in kinds] == [
        "republic",
        "oblast",
        "district",
        "city administration",
        "town proper",
    ]
    with language("ru"):
        assert [territory_kind(k) for k in kinds] == [
            "республика",
            "область",
            "район",
            "городская администрация (г.а.)",
            "город (без подчинённых сёл)",
        ]
