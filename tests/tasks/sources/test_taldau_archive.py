"""Raw archive: stored before parsing, request-keyed, same-day cache, offline replay."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from werkzeug import Response

from tasks.sources.taldau import (
    TaldauClient,
    TaldauError,
    TaldauNotArchivedError,
    TaldauParseError,
    fetch_indicator,
    request_hash,
)
from tasks.sources.taldau.parse import parse_period_list
from tasks.sources.taldau.registry import get_indicator, load_indicators

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import tests.taldau_fake as taldau_fake  # noqa: E402  (needs ROOT on sys.path)
from tests.taldau_fake import (  # noqa: E402
    fake_town,
    fast_client,
    install_fake_taldau,
    start_server,
)
from tests.tasks.sources.pairs import run_pairs  # noqa: E402

# pytest fixtures from the shared fake (end-to-end tests reuse them the same way)
taldau_httpserver = taldau_fake.taldau_httpserver
fake_taldau = taldau_fake.fake_taldau


DAY1 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_request_hash_is_canonical_and_host_independent():
    a = request_hash("GetSegmentList", {"indexId": 702944, "periodId": 7})
    assert a == request_hash("GetSegmentList", {"periodId": "7", "indexId": "702944"})
    assert a != request_hash("GetSegmentList", {"indexId": 702944, "periodId": 5})
    assert a != request_hash("GetPeriodList", {"indexId": 702944, "periodId": 7})
    assert request_hash("X", {"dics": [68, 859]}) == request_hash("X", {"dics": "68,859"})


def test_every_response_is_archived_with_request_metadata(fake_taldau, tmp_path):
    client = fast_client(tmp_path, fake_taldau.base_url)
    p = client.get_segment_list(702972, 7)
    meta_file = tmp_path / "taldau" / "requests" / f"{p.meta['request_hash']}.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    for key in ("endpoint", "params", "url", "status", "fetched_at", "content_hash"):
        assert key in meta
    assert meta["endpoint"] == "GetSegmentList" and meta["status"] == 200
    assert meta["params"] == {"indexId": 702972, "periodId": 7}
    assert meta["url"] == p.uri and meta["content_hash"] == p.content_hash
    assert meta["latest_ok"]["content_hash"] == p.content_hash
    assert (tmp_path / "taldau" / p.content_hash).read_bytes() == p.data


def test_error_bodies_are_archived_before_raising(taldau_httpserver, tmp_path):
    taldau_httpserver.clear()
    taldau_httpserver.expect_request("/ru/Api/GetPeriodList").respond_with_response(
        Response("<html>Ошибка 500</html>", status=500)
    )
    client = fast_client(tmp_path, taldau_httpserver.url_for("/ru/Api/"), max_attempts=3)
    with pytest.raises(TaldauError):
        client.get_period_list(1)
    rhash = request_hash("GetPeriodList", {"indexId": 1})
    history = client.archive.history(rhash)
    assert [h.status for h in history] == [500, 500, 500]
    body = (tmp_path / "taldau" / history[0].content_hash).read_bytes()
    assert body == "<html>Ошибка 500</html>".encode()
    assert client.archive.latest_ok(rhash) is None
    taldau_httpserver.clear()


def test_offline_replay_gives_identical_frames_with_the_server_stopped(tmp_path):
    server = start_server()
    try:
        fake = install_fake_taldau(server)
        online = fast_client(tmp_path, fake.base_url)
        before = run_pairs(online, towns=[fake_town()])
        online.close()
    finally:
        server.stop()
    assert len(before.results) == len(load_indicators())  # one pair per indicator
    offline = TaldauClient(tmp_path, base_url="http://127.0.0.1:9/ru/Api/", offline=True)
    after = run_pairs(offline, towns=[fake_town()])
    assert after.failures == [] and offline.stats["network"] == 0
    pd.testing.assert_frame_equal(before.frame(), after.frame())
    assert [p.content_hash for p in before.payloads()] == [p.content_hash for p in after.payloads()]
    assert before.issues() == after.issues()


def test_offline_miss_names_endpoint_and_params(tmp_path):
    offline = TaldauClient(tmp_path, offline=True)
    with pytest.raises(TaldauNotArchivedError) as info:
        offline.get_segment_list(702944, 7)
    message = str(info.value)
    assert "GetSegmentList" in message and "'indexId': 702944" in message
    assert "'periodId': 7" in message and "not in the archive" in message


def test_same_day_rerun_does_not_hit_the_network(fake_taldau, tmp_path):
    wage = get_indicator("wage_avg_monthly")
    first = fast_client(tmp_path, fake_taldau.base_url, clock=lambda: DAY1)
    _, frame1, _ = fetch_indicator(first, wage, fake_town())
    calls = fake_taldau.count()
    assert calls == 4

    later_same_day = fast_client(
        tmp_path, fake_taldau.base_url, clock=lambda: DAY1 + timedelta(hours=14)
    )
    _, frame2, _ = fetch_indicator(later_same_day, wage, fake_town())
    assert fake_taldau.count() == calls and later_same_day.stats["network"] == 0
    pd.testing.assert_frame_equal(frame1, frame2)

    refreshed = fast_client(tmp_path, fake_taldau.base_url, clock=lambda: DAY1, refresh=True)
    fetch_indicator(refreshed, wage, fake_town())
    assert fake_taldau.count() == 2 * calls

    next_day = fast_client(tmp_path, fake_taldau.base_url, clock=lambda: DAY1 + timedelta(days=1))
    fetch_indicator(next_day, wage, fake_town())
    assert fake_taldau.count() == 3 * calls


def test_replay_uses_the_latest_successful_response(taldau_httpserver, tmp_path):
    bodies = {"now": Response(json.dumps([{"id": 7, "name": "Год"}]), status=200)}
    taldau_httpserver.clear()
    taldau_httpserver.expect_request("/ru/Api/GetPeriodList").respond_with_handler(
        lambda _req: bodies["now"]
    )
    base = taldau_httpserver.url_for("/ru/Api/")

    def fetch_on(day):
        return fast_client(
            tmp_path, base, clock=lambda: DAY1 + timedelta(days=day)
        ).get_period_list(1)

    def replay():
        return parse_period_list(TaldauClient(tmp_path, offline=True).get_period_list(1))

    fetch_on(0)
    bodies["now"] = Response("down", status=500)
    with pytest.raises(TaldauError):
        fast_client(
            tmp_path, base, clock=lambda: DAY1 + timedelta(days=1), max_attempts=2
        ).get_period_list(1)
    assert replay() == [{"id": 7, "name": "Год"}]
    bodies["now"] = Response(json.dumps([{"id": 7, "name": "Год (revised)"}]), status=200)
    fetch_on(2)
    assert replay() == [{"id": 7, "name": "Год (revised)"}]
    taldau_httpserver.clear()


def test_non_json_2xx_is_archived_but_never_cached_or_replayed(taldau_httpserver, tmp_path):
    taldau_httpserver.clear()
    taldau_httpserver.expect_request("/ru/Api/GetPeriodList").respond_with_response(
        Response("<html>maintenance</html>", status=200, content_type="text/html")
    )
    base = taldau_httpserver.url_for("/ru/Api/")
    p = fast_client(tmp_path, base, clock=lambda: DAY1).get_period_list(1)
    with pytest.raises(TaldauParseError, match="HTML"):
        parse_period_list(p)
    assert (tmp_path / "taldau" / p.content_hash).exists()
    again = fast_client(tmp_path, base, clock=lambda: DAY1)
    again.get_period_list(1)
    assert again.stats["network"] == 1  # the HTML page did not count as today's success
    with pytest.raises(TaldauNotArchivedError):
        TaldauClient(tmp_path, offline=True).get_period_list(1)
    taldau_httpserver.clear()
