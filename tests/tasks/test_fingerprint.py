"""What a refresh run's input fingerprint covers (tasks/fingerprint.py)."""

import json
from dataclasses import replace
from datetime import date

import pytest

from flows.request import RefreshRequest
from tasks.fingerprint import input_fingerprint
from tasks.sources import registry
from tasks.sources.base import sha256_bytes
from tasks.sources.registry import SOURCES
from tasks.sources.spec import SourceSpec, sha256_file


def fp(today=None, **parameters):
    request = RefreshRequest.from_parameters({"warehouse": "w.duckdb", **parameters})
    return input_fingerprint(request, today=today)


def test_files_source_hashes_each_file_like_raw_payload(tmp_path):
    (tmp_path / "observations.csv").write_bytes(b"town_id,indicator_id,year,value\n")
    (tmp_path / ".hidden").write_bytes(b"not read by the source")
    first = fp(source="files", input_dir=str(tmp_path))
    assert first.parts["files/observations.csv"] == sha256_bytes(
        b"town_id,indicator_id,year,value\n"
    )
    assert not any(".hidden" in name for name in first.parts)
    for part in ("code", "migrations", "registry", "studies' data", "codebooks", "versions"):
        assert part in first.parts
    (tmp_path / "observations.csv").write_bytes(b"town_id,indicator_id,year,value\r\n")
    again = fp(source="files", input_dir=str(tmp_path))
    assert again.digest != first.digest and again.changed(first.parts) == ["files/observations.csv"]


def test_parameters_and_year_are_part_of_it(tmp_path):
    base = fp(source="bundled", today=date(2026, 5, 1))
    assert fp(source="bundled", today=date(2026, 12, 31)).digest == base.digest
    assert fp(source="bundled", today=date(2027, 1, 1)).digest != base.digest
    assert fp(source="bundled", report=False, today=date(2026, 5, 1)).changed(base.parts) == [
        "parameters"
    ]
    # settings that do not change results are ignored
    same = fp(source="bundled", lock_timeout=600.0, force=True, today=date(2026, 5, 1))
    assert same.digest == base.digest
    # another source's options are not part of a bundled run
    other = fp(source="bundled", taldau_url="http://x/", today=date(2026, 5, 1))
    assert other.digest == base.digest
    # a parameter no source declares is refused, not silently hashed or dropped
    with pytest.raises(TypeError, match="territories"):
        fp(source="bundled", territories="all")


def test_live_taldau_cannot_be_known_offline_reads_the_archive_index(tmp_path):
    assert fp(source="taldau") is None
    requests = tmp_path / "taldau" / "requests"
    requests.mkdir(parents=True)
    meta = requests / "abc.json"
    meta.write_text(json.dumps({"latest_ok": {"content_hash": "h1", "fetched_at": "t1"}}))
    first = fp(source="taldau", offline=True, archive_dir=str(tmp_path))
    # a new failed attempt changes the request's last response, not what a replay reads
    meta.write_text(
        json.dumps({"status": 500, "latest_ok": {"content_hash": "h1", "fetched_at": "t1"}})
    )
    same = fp(source="taldau", offline=True, archive_dir=str(tmp_path))
    assert same.digest == first.digest
    meta.write_text(json.dumps({"latest_ok": {"content_hash": "h2", "fetched_at": "t2"}}))
    changed = fp(source="taldau", offline=True, archive_dir=str(tmp_path))
    assert changed.changed(first.parts) == ["taldau/archive"]
    towns = tmp_path / "towns.csv"
    towns.write_text("town_id\nkhromtau\n")
    own = fp(source="taldau", offline=True, archive_dir=str(tmp_path), taldau_towns=str(towns))
    assert own.parts["taldau/towns"] == sha256_file(towns)


@pytest.mark.parametrize("name", list(SOURCES))
def test_every_live_source_always_fetches_unless_offline(name, tmp_path):
    """The property behind "a live source fetches again": no registered live source has a
    fingerprint (so it is never up to date and never cached) unless it replays offline."""
    request = RefreshRequest(warehouse=str(tmp_path / "w.duckdb"), source=name)
    required = {o.name: str(tmp_path) for o in SOURCES[name].options if o.required}
    request = replace(request, source_options=tuple(required.items()))
    online = input_fingerprint(request)
    offline = input_fingerprint(replace(request, offline=True))
    assert offline is not None
    assert (online is None) == SOURCES[name].live


def test_any_live_source_is_exempt_not_only_taldau(monkeypatch, tmp_path):
    """A newly registered live source (here: a folder declared live) is never up to date."""
    live = SourceSpec(
        "livefolder", "a folder read as a live service", "tasks.sources.files:FilesSource", True
    )
    monkeypatch.setitem(registry.SOURCES, "livefolder", live)
    request = RefreshRequest(warehouse=str(tmp_path / "w.duckdb"), source="livefolder")
    assert request.fetches_live and input_fingerprint(request) is None
    assert input_fingerprint(replace(request, offline=True)) is not None
