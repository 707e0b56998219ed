"""Charts are re-rendered only when what they show changed (tasks/report/cache.py)."""

import json

import pandas as pd

from tasks.report import cache
from tasks.report import charts as ch
from tasks.report.i18n import language


def issues(n_errors: int) -> pd.DataFrame:
    rows = [("core.observation", "type:number", "error")] * n_errors
    rows += [("labour_market", "rate_matches", "warning")] * 3
    return pd.DataFrame(rows, columns=["table_name", "check_name", "severity"])


def test_unchanged_chart_is_not_drawn_again(tmp_path):
    first = ch.render(ch.quality(issues(2), "meta.quality_issue"), tmp_path)
    png = tmp_path / "quality_issues.png"
    png.write_bytes(png.read_bytes())  # same bytes, new mtime: a redraw would rewrite it again
    stamp = png.stat().st_mtime_ns
    again = ch.render(ch.quality(issues(2), "meta.quality_issue"), tmp_path)
    assert again == first and png.stat().st_mtime_ns == stamp
    manifest = json.loads((tmp_path / cache.MANIFEST).read_text())
    assert set(manifest) == {"quality_issues"}


def test_changed_data_or_missing_file_is_drawn_again(tmp_path):
    chart = ch.quality(issues(2), "meta.quality_issue")
    ch.render(chart, tmp_path)
    other = ch.quality(issues(5), "meta.quality_issue")
    assert other.data_key != chart.data_key
    assert cache.cached_svg(other, tmp_path) is None
    ch.render(other, tmp_path)
    assert cache.cached_svg(other, tmp_path) is not None
    (tmp_path / "quality_issues.png").unlink()
    assert cache.cached_svg(other, tmp_path) is None


def test_the_key_includes_the_language_and_the_source_line(monkeypatch):
    frame = issues(2)
    base = ch.quality(frame, "meta.quality_issue").data_key
    assert ch.quality(frame, "meta.quality_issue (other)").data_key != base
    assert cache.data_key("quality", (frame, "meta.quality_issue"), {}) == base
    with language("en"):
        assert ch.quality(frame, "meta.quality_issue").data_key == base
    # only the English catalogue ships yet: another language as the i18n module would report it
    monkeypatch.setattr(cache, "current_language", lambda: "kk")
    assert cache.data_key("quality", (frame, "meta.quality_issue"), {}) != base
