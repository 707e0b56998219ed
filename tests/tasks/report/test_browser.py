"""The report renders in a real headless browser (Debian's ``chromium``), offline.

Skipped when ``chromium`` is not on PATH; CI installs it (``apt-get install -y chromium``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pytest
from PIL import Image

from tasks.report.charts import ANSWER_COLOUR, SECTOR_COLOUR

CHROMIUM = shutil.which("chromium")
WIDTH, HEIGHT = 1280, 4000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.subprocess,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not installed (apt-get install -y chromium); CI installs it",
    ),
]


def screenshot(html: str, png: Path, profile: Path, height: int = HEIGHT) -> Image.Image:
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
        f"--window-size={WIDTH},{height}",
        Path(html).resolve().as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert png.is_file(), f"chromium wrote no screenshot (exit {proc.returncode}):\n{proc.stderr}"
    return Image.open(png).convert("RGB")


def study_part(html: str, tmp_path: Path) -> Path:
    """A copy of the report without its first part (every town), so that the Khromtau study's
    charts are at the top of the window."""
    text = Path(html).read_text(encoding="utf-8")
    start = text.index('<div class="part" id="part-towns">')
    end = text.index('<div class="part" id="part-study">')
    out = tmp_path / "study.html"
    out.write_text(text[:start] + text[end:], encoding="utf-8")
    return out


def _rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[i : i + 2], 16) for i in (0, 2, 4)])


def _share_near(pixels: np.ndarray, colour: str, tol: int = 6) -> float:
    return float((np.abs(pixels.astype(int) - _rgb(colour)).max(axis=-1) <= tol).mean())


def test_report_renders_in_chromium(published, tmp_path):
    page = study_part(published["html"], tmp_path)
    img = screenshot(page, tmp_path / "shot.png", tmp_path / "profile")
    assert img.size == (WIDTH, HEIGHT)
    px = np.asarray(img)
    # not blank: plenty of ink and colours
    non_white = (px < 235).any(axis=-1).mean()
    assert non_white > 0.10, f"only {non_white:.1%} non-white pixels"
    colours = len(np.unique(px.reshape(-1, 3)[::7], axis=0))
    assert colours > 100, f"only {colours} distinct colours"
    # the GRP charts (first section) were drawn: their sector colours fill real areas
    for sector in ("industry", "services"):
        share = _share_near(px, SECTOR_COLOUR[sector])
        assert share > 0.003, f"{sector} colour covers only {share:.3%} of the screenshot"


def test_perception_chart_renders(published, tmp_path):
    """The Table 4 diverging bars further down the page render too (a taller window)."""
    page = study_part(published["html"], tmp_path)
    img = screenshot(page, tmp_path / "tall.png", tmp_path / "profile", height=9000)
    px = np.asarray(img)
    for answer in ("worsened_significantly", "improved_significantly"):
        assert _share_near(px, ANSWER_COLOUR[answer]) > 0.0005, answer


def test_russian_report_renders_in_chromium(published_ru, tmp_path):
    """The Russian report (``--lang ru``) renders too: not blank, its GRP charts drawn."""
    page = study_part(published_ru["html"], tmp_path)
    img = screenshot(page, tmp_path / "shot_ru.png", tmp_path / "profile")
    assert img.size == (WIDTH, HEIGHT)
    px = np.asarray(img)
    non_white = (px < 235).any(axis=-1).mean()
    assert non_white > 0.10, f"only {non_white:.1%} non-white pixels"
    colours = len(np.unique(px.reshape(-1, 3)[::7], axis=0))
    assert colours > 100, f"only {colours} distinct colours"
    for sector in ("industry", "services"):
        share = _share_near(px, SECTOR_COLOUR[sector])
        assert share > 0.003, f"{sector} colour covers only {share:.3%} of the screenshot"


# ---------------------------------------------------------------- the overview across towns

DOCS = Path(__file__).resolve().parents[3] / "docs"
OVERVIEW_HEIGHT = 2300


def dump_dom(html: str, profile: Path) -> str:
    """The DOM as Chromium rendered it (``--dump-dom``)."""
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--dump-dom",
        Path(html).resolve().as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _overview_rows(dom: str) -> int:
    table = dom.split('<table id="overview-towns">', 1)[1].split("</table>", 1)[0]
    return table.split("<tbody>", 1)[1].count("<tr>")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_overview_renders_in_chromium(lang, published, published_ru, warehouse, tmp_path):
    """Both languages' overviews: not blank, one table row per registry town. With
    ``MONOTOWNS_UPDATE_SCREENSHOTS=1`` the screenshots replace docs/report-overview-<lang>.png
    (a plain test run leaves the checkout as it is)."""
    report = published if lang == "en" else published_ru
    with duckdb.connect(warehouse, read_only=True) as con:
        n_towns = con.execute("SELECT count(*) FROM core.town").fetchone()[0]
    assert n_towns == 28
    dom = dump_dom(report["html"], tmp_path / "profile")
    assert _overview_rows(dom) == n_towns
    png = tmp_path / f"overview-{lang}.png"
    img = screenshot(report["html"], png, tmp_path / "profile", height=OVERVIEW_HEIGHT)
    px = np.asarray(img)
    non_white = (px < 235).any(axis=-1).mean()
    assert non_white > 0.10, f"only {non_white:.1%} non-white pixels"
    colours = len(np.unique(px.reshape(-1, 3)[::7], axis=0))
    assert colours > 100, f"only {colours} distinct colours"
    # the status badges of the town table are drawn (green: current towns)
    assert _share_near(px, "#2e7d32", tol=10) > 0.001
    if os.environ.get("MONOTOWNS_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(png, DOCS / f"report-overview-{lang}.png")
