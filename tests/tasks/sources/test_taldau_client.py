"""TaldauClient against a real local HTTP server: retries, Retry-After, timeouts, limits."""

from __future__ import annotations

import json
import math
import socket
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from werkzeug import Request, Response

from tasks.sources.taldau import TaldauError
from tasks.sources.taldau.client import build_url, parse_retry_after
from tasks.sources.taldau.registry import load_indicators

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import tests.taldau_fake as taldau_fake  # noqa: E402  (needs ROOT on sys.path)
from tests.taldau_fake import (  # noqa: E402
    SleepRecorder,
    fake_town,
    fast_client,
    install_fake_taldau,
)
from tests.tasks.sources.pairs import indicator_of, run_pairs  # noqa: E402

# pytest fixtures from the shared fake (end-to-end tests reuse them the same way)
taldau_httpserver = taldau_fake.taldau_httpserver
fake_taldau = taldau_fake.fake_taldau


OK_BODY = json.dumps([{"id": 7, "name": "Год"}]).encode()


@pytest.fixture
def server(taldau_httpserver):
    taldau_httpserver.clear()
    yield taldau_httpserver
    taldau_httpserver.clear()


def serve(server, handler):
    server.expect_request("/ru/Api/GetPeriodList").respond_with_handler(handler)
    return server.url_for("/ru/Api/")


def scripted(*responses):
    """A handler answering with ``responses`` in turn (the last one repeats); counts calls."""
    state = {"n": 0}

    def handler(_request: Request) -> Response:
        i = min(state["n"], len(responses) - 1)
        state["n"] += 1
        item = responses[i]
        return item if isinstance(item, Response) else item()

    handler.state = state  # type: ignore[attr-defined]
    return handler


def ok():
    return Response(OK_BODY, status=200, content_type="application/json")


def test_payload_carries_provenance_and_literal_commas(fake_taldau, tmp_path):
    client = fast_client(tmp_path, fake_taldau.base_url)
    p = client.get_index_data(702972, 7, [68, 859, 681], ["948", "945"])
    assert (p.source, p.kind) == ("taldau", "GetIndexData")
    assert (
        p.uri
        == fake_taldau.base_url + "GetIndexData/702972?period=7&dics=68,859,681&dateIds=948,945"
    )
    assert p.meta["status"] == 200
    assert p.meta["params"] == {"period": 7, "dics": "68,859,681", "dateIds": "948,945"}
    assert len(p.meta["request_hash"]) == 64
    assert build_url("http://h/Api", "X", {"a": "1,2", "b": None}) == "http://h/Api/X?a=1,2"


def test_error_storm_70_percent_of_first_attempts_fail(taldau_httpserver, tmp_path):
    fake = install_fake_taldau(taldau_httpserver, failure_rate=0.7)
    sleeps = SleepRecorder()
    client = fast_client(tmp_path, fake.base_url, sleep=sleeps)
    result = run_pairs(client, towns=[fake_town()])
    assert result.failures == [] and len(result.results) == len(load_indicators())
    distinct = fake.count(status=200)
    failed = fake.count(status=500)
    assert failed == math.floor(distinct * 0.7) and failed > 0
    assert len(sleeps.calls) == failed  # one backoff per failed attempt
    assert all(0 <= s <= 0.001 for s in sleeps.calls)  # tiny full-jitter backoff
    for r in result.results:
        expected = {y: v for y, v in fake.expected(indicator_of(r)).items() if v is not None}
        assert r.observations.set_index("year")["value"].dropna().to_dict() == expected


def test_429_honours_retry_after_seconds(server, tmp_path):
    handler = scripted(Response("slow down", status=429, headers={"Retry-After": "7"}), ok)
    sleeps = SleepRecorder()
    client = fast_client(tmp_path, serve(server, handler), sleep=sleeps)
    assert client.get_period_list(1).data == OK_BODY
    assert sleeps.calls == [7.0] and handler.state["n"] == 2


def test_429_honours_retry_after_http_date_and_cap(server, tmp_path):
    now = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
    when = format_datetime(now + timedelta(seconds=30), usegmt=True)
    handler = scripted(
        Response("", status=429, headers={"Retry-After": when}),
        Response("", status=503, headers={"Retry-After": "3600"}),
        ok,
    )
    sleeps = SleepRecorder()
    client = fast_client(
        tmp_path, serve(server, handler), sleep=sleeps, clock=lambda: now, retry_after_cap=60
    )
    client.get_period_list(1)
    assert sleeps.calls == [30.0, 60.0]
    assert parse_retry_after("garbage", now) is None
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0.0


def test_read_timeout_is_retried(server, tmp_path):
    def slow():
        time.sleep(0.6)
        return ok()

    handler = scripted(slow, ok)
    client = fast_client(tmp_path, serve(server, handler), read_timeout=0.15)
    assert client.get_period_list(1).data == OK_BODY
    history = client.archive.history(client.get_period_list(1).meta["request_hash"])
    assert [h.status for h in history] == [None, 200]
    assert "ReadTimeout" in (history[0].error or "")


def test_retries_exhausted_raise_with_endpoint_params_and_last_status(server, tmp_path):
    handler = scripted(Response("<h1>Service Unavailable</h1>", status=503))
    sleeps = SleepRecorder()
    client = fast_client(tmp_path, serve(server, handler), sleep=sleeps, max_attempts=4)
    with pytest.raises(TaldauError) as info:
        client.get_period_list(702944)
    message = str(info.value)
    assert "GetPeriodList" in message and "'indexId': 702944" in message
    assert "HTTP 503" in message and "4 attempt" in message
    assert handler.state["n"] == 4 and len(sleeps.calls) == 3
    assert info.value.endpoint == "GetPeriodList" and info.value.params == {"indexId": 702944}


def test_timeouts_exhausted_name_the_timeout(server, tmp_path):
    def slow():
        time.sleep(0.4)
        return ok()

    client = fast_client(tmp_path, serve(server, scripted(slow)), read_timeout=0.1, max_attempts=2)
    with pytest.raises(TaldauError, match=r"GetPeriodList.*ReadTimeout"):
        client.get_period_list(1)


def test_connection_errors_are_retried(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again on exit: nothing listens there
    sleeps = SleepRecorder()
    client = fast_client(tmp_path, f"http://127.0.0.1:{port}/ru/Api/", sleep=sleeps, max_attempts=3)
    with pytest.raises(TaldauError, match="ConnectError"):
        client.get_segment_list(702944, 7)
    assert len(sleeps.calls) == 2


def test_non_retryable_status_fails_at_once_with_the_error_body_archived(server, tmp_path):
    handler = scripted(Response("no such index", status=404))
    client = fast_client(tmp_path, serve(server, handler))
    with pytest.raises(TaldauError, match="non-retryable HTTP 404") as info:
        client.get_period_list(1)
    assert handler.state["n"] == 1
    assert info.value.payloads[0].data == b"no such index"


def test_backoff_is_exponential_full_jitter(server, tmp_path):
    class Ceiling:
        def uniform(self, low, high):
            assert low == 0.0
            return high

    sleeps = SleepRecorder()
    client = fast_client(
        tmp_path,
        serve(server, scripted(Response("", status=500))),
        sleep=sleeps,
        rng=Ceiling(),
        backoff_base=0.5,
        backoff_max=3.0,
        max_attempts=6,
    )
    with pytest.raises(TaldauError):
        client.get_period_list(1)
    assert sleeps.calls == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_concurrency_is_capped(server, tmp_path):
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def handler(_request):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return ok()

    client = fast_client(tmp_path, serve(server, handler), max_concurrency=2)
    threads = [threading.Thread(target=client.get_period_list, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert client.stats["network"] == 8
    assert 1 <= state["max"] <= 2


def test_polite_delay_spaces_calls(server, tmp_path):
    client = fast_client(tmp_path, serve(server, scripted(ok)), delay=0.05, sleep=time.sleep)
    start = time.monotonic()
    for i in range(4):
        client.get_period_list(i)
    assert time.monotonic() - start >= 0.15


def test_identical_concurrent_requests_hit_the_network_once(server, tmp_path):
    handler = scripted(ok)
    client = fast_client(tmp_path, serve(server, handler), refresh=True)
    threads = [threading.Thread(target=client.get_period_list, args=(5,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert handler.state["n"] == 1 and client.stats["memo"] == 5
