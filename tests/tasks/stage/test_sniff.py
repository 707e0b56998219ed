"""Byte sniffing on tiny payloads: what the bytes are, found before reading them."""

from __future__ import annotations

import pytest

from tasks.stage import sniff
from tasks.stage.sniff import Bytes


@pytest.mark.parametrize(
    ("data", "blank_only", "nul", "blank_lines"),
    [
        (b"", True, False, False),
        (b"  \n\r\n\t", True, False, False),
        (b"a,b\n1,2\n", False, False, False),
        (b"a,b\n1,2\n\n\n", False, False, False),  # blank lines only at the end: no shift
        (b"a,b\n\n1,2\n", False, False, True),
        (b"a,b\r\n\r\n1,2\r\n", False, False, True),
        (b"\na,b\n1,2\n", False, False, True),  # a leading blank line counts
        (b"a\x00b\n", False, True, False),
    ],
)
def test_scan(data, blank_only, nul, blank_lines):
    assert sniff.scan(Bytes(data)) == sniff.Scan(blank_only, nul, blank_lines)


def test_scan_finds_a_blank_line_across_a_chunk_boundary(monkeypatch):
    monkeypatch.setattr(sniff, "CHUNK", 4)
    assert sniff.scan(Bytes(b"a,b\n\n1,2\n")).blank_lines  # "a,b\n" | "\n1,2" | "\n"
    assert not sniff.scan(Bytes(b"a,b\n1,2\n\n\n\n")).blank_lines


def test_head_reads_at_most_size_bytes(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"0123456789")

    class OnDisk:
        data = None
        size_bytes = 10

        def __init__(self, p):
            self.path = str(p)

        def open(self):
            return open(self.path, "rb")

    assert sniff.head(OnDisk(path), 4) == b"0123"
    assert sniff.head(Bytes(b"abc")) == b"abc"


def test_is_utf8():
    assert sniff.is_utf8(Bytes("Хромтау".encode()))
    assert not sniff.is_utf8(Bytes("Хромтау".encode("cp1251")))


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"\xef\xbb\xbfa,b", "a,b"),  # BOM removed
        ("Жезказган".encode(), "Жезказган"),
        ("Жезказган".encode()[:-1], "Жезказга"),  # a character cut by the chunk's end
        ("Жезказган;1".encode("cp1251"), "Жезказган;1"),
    ],
)
def test_decode_head(data, text):
    assert sniff.decode_head(data) == text


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1;2;3;4;5\n", ","),  # the header line decides
        ("a;b;c\n", ";"),
        ("a\tb;c\tc\n", "\t"),
        ("a\n", ","),  # a tie (none): comma
        ('"x;y",b,c', ","),
    ],
)
def test_delimiter(text, delimiter):
    assert sniff.delimiter(text) == delimiter


@pytest.mark.parametrize(
    ("text", "markup"),
    [
        ("\n\n  <!DOCTYPE html>", True),
        ('{"error": 1}', True),
        ("[1, 2]", True),
        ("town_id,value\n<b>,1\n", False),
    ],
)
def test_looks_like_markup(text, markup):
    assert sniff.looks_like_markup(text) is markup


def test_is_workbook_by_name_or_zip_signature():
    assert sniff.is_workbook("Data.XLSX", b"")
    assert sniff.is_workbook("data.csv", b"PK\x03\x04")
    assert not sniff.is_workbook("data.csv", b"a,b")
