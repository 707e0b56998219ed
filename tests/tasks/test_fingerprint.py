"""What a refresh run's input fingerprint covers (tasks/fingerprint.py)."""

import json
from datetime import date

from tasks.fingerprint import input_fingerprint, sha256_file
from tasks.sources.base import sha256_bytes


def test_files_source_hashes_each_file_like_raw_payload(tmp_path):
    (tmp_path / "observations.csv").write_bytes(b"town_id,indicator_id,year,value\n")
    (tmp_path / ".hidden").write_bytes(b"not read by the source")
    fp = input_fingerprint(source="files", input_dir=str(tmp_path))
    assert fp.parts["files/observations.csv"] == sha256_bytes(b"town_id,indicator_id,year,value\n")
    assert not any(".hidden" in name for name in fp.parts)
    for part in ("code", "migrations", "registry", "studies' data", "codebooks", "versions"):
        assert part in fp.parts
    (tmp_path / "observations.csv").write_bytes(b"town_id,indicator_id,year,value\r\n")
    again = input_fingerprint(source="files", input_dir=str(tmp_path))
    assert again.digest != fp.digest and again.changed(fp.parts) == ["files/observations.csv"]


def test_parameters_and_year_are_part_of_it(tmp_path):
    base = input_fingerprint(source="bundled", today=date(2026, 5, 1))
    assert input_fingerprint(source="bundled", today=date(2026, 12, 31)).digest == base.digest
    assert input_fingerprint(source="bundled", today=date(2027, 1, 1)).digest != base.digest
    assert input_fingerprint(source="bundled", report=False, today=date(2026, 5, 1)).changed(
        base.parts
    ) == ["parameters"]
    # parameters that do not change results are ignored
    same = input_fingerprint(source="bundled", lock_timeout=600.0, today=date(2026, 5, 1))
    assert same.digest == base.digest
    # a parameter this module does not know yet counts
    new = input_fingerprint(source="bundled", territories="all", today=date(2026, 5, 1))
    assert new.changed(base.parts) == ["parameters"]


def test_live_taldau_cannot_be_known_offline_reads_the_archive_index(tmp_path):
    assert input_fingerprint(source="taldau") is None
    requests = tmp_path / "taldau" / "requests"
    requests.mkdir(parents=True)
    meta = requests / "abc.json"
    meta.write_text(json.dumps({"latest_ok": {"content_hash": "h1", "fetched_at": "t1"}}))
    first = input_fingerprint(source="taldau", offline=True, archive_dir=str(tmp_path))
    # a new failed attempt changes the request's last response, not what a replay reads
    meta.write_text(
        json.dumps({"status": 500, "latest_ok": {"content_hash": "h1", "fetched_at": "t1"}})
    )
    same = input_fingerprint(source="taldau", offline=True, archive_dir=str(tmp_path))
    assert same.digest == first.digest
    meta.write_text(json.dumps({"latest_ok": {"content_hash": "h2", "fetched_at": "t2"}}))
    changed = input_fingerprint(source="taldau", offline=True, archive_dir=str(tmp_path))
    assert changed.changed(first.parts) == ["taldau/archive"]
    towns = tmp_path / "towns.csv"
    towns.write_text("town_id\nkhromtau\n")
    own = input_fingerprint(
        source="taldau", offline=True, archive_dir=str(tmp_path), taldau_towns=str(towns)
    )
    assert own.parts["taldau/towns"] == sha256_file(towns)
