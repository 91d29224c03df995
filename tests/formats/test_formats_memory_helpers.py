"""The import's memory helpers: the chunked UTF-8 check and handing freed memory back to the system."""

from __future__ import annotations

import codecs
import platform
import subprocess
import sys

import pytest

import peerimpact.study.load as load_module
from formats_helpers import write_files
from formats_mutations import CSV_MAPPING, PEOPLE, STUDY_YAML, csv_text, survey_rows
from peerimpact.errors import StudyValidationError, UserInputError
from peerimpact.formats import heap, import_study, importer
from peerimpact.formats.csv_source import FAST_MIN_CHARS, read_csv_source
from peerimpact.formats.sniff import _SAMPLE_CHARS, scan_utf8, sniff_delimiter

# every kind of UTF-8 character (1 to 4 bytes), so that chunk ends fall inside each
VALID = "id,name\n1,Ann\n2,Zo\u00eb\n3,\u20ac uro\n4,\U0001f600 smile\n5, \u00a0 \n".encode("utf-8")
CHUNKS = [1, 2, 3, 4, 5, 7, 16, 1 << 16]

BAD = {
    "latin-1 byte": b"id,name\n1,Jos\xe9,x\n2,ok\n",
    "lone continuation": b"id,name\n1,\x80\n",
    "truncated at the end": b"id,name\n1,\xe2\x82",
    "overlong": b"id,name\n1,\xc0\xaf\n",
    "surrogate": b"id,name\n1,\xed\xa0\x80\n",
    "bad second byte of three": b"id,name\n1,\xe2(\xa1\n",
    "bad after a 4-byte character": "id,name\n1,\U0001f600".encode("utf-8") + b"\xf0\x9f\x98\n",
    "beyond 0x10ffff": b"id,name\n1,\xf4\x90\x80\x80\n",
}


@pytest.mark.parametrize("chunk", CHUNKS)
def test_scan_utf8_gives_what_the_whole_text_gives(chunk):
    text = VALID.decode("utf-8")
    for head_chars in (0, 5, 12, len(text), len(text) + 10):
        scan = scan_utf8(VALID, head_chars, chunk)
        assert (scan.chars, scan.head, scan.blank) == (len(text), text[:head_chars], False)
    assert scan_utf8(b"", 4, chunk).blank and scan_utf8(b"", 4, chunk).chars == 0
    spaces = " \u00a0\u2003\n".encode("utf-8")  # non-ASCII white space too, as str.isspace counts it
    assert scan_utf8(spaces, 10, chunk).blank
    assert not scan_utf8(spaces + b"x", 10, chunk).blank


def test_a_character_split_between_chunks_is_completed_from_the_next():
    data = "ab\u20acd".encode("utf-8")  # the euro sign is bytes 2-4
    for chunk in (3, 4):  # the chunk ends after its first or second byte
        assert scan_utf8(data, 10, chunk).head == "ab\u20acd"


@pytest.mark.parametrize("chunk", CHUNKS)
@pytest.mark.parametrize("name", sorted(BAD))
def test_scan_utf8_stops_at_the_byte_decoding_the_whole_text_stops_at(name, chunk):
    data = BAD[name]
    with pytest.raises(UnicodeDecodeError) as whole:
        data.decode("utf-8")
    with pytest.raises(UnicodeDecodeError) as scanned:
        scan_utf8(data, 100, chunk)
    assert (scanned.value.start, scanned.value.end, scanned.value.reason) == (whole.value.start, whole.value.end, whole.value.reason)
    assert scanned.value.object is data


def _long_file(middle: bytes) -> bytes:
    """A CSV longer than FAST_MIN_CHARS (read by the chunked check and the fast path) with ``middle`` in row 1,001."""
    rows = [b"participant_id,name,notes"] + [b"p%04d,Ann,x" % i for i in range(1, 1000)]
    rows.append(b"p1000,Jos" + middle + b",x")
    rows += [b"p%04d,Ann,caf\xc3\xa9" % i for i in range(1001, 1000 + FAST_MIN_CHARS // 10)]
    return b"\n".join(rows) + b"\n"


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8], ids=["no-mark", "utf-8-mark"])
def test_a_bad_byte_in_a_long_file_is_named_as_before(tmp_path, bom):
    """The chunked check hands bad bytes to decode_text: the same row, column and message as decoding the whole text."""
    path = tmp_path / "x.csv"
    path.write_bytes(bom + _long_file(b"\xe9"))
    with pytest.raises(StudyValidationError) as err:
        read_csv_source(path)
    [problem] = err.value.problems
    assert (problem.file, problem.row, problem.column) == ("x.csv", 1001, "name")
    assert problem.message.startswith("byte 0xe9 is not valid utf-8 text; it may be Windows-1252")


def test_a_long_utf8_file_reads_as_its_text(tmp_path):
    data = _long_file("\u00e9".encode("utf-8"))
    path = tmp_path / "x.csv"
    path.write_bytes(codecs.BOM_UTF8 + data)
    table = read_csv_source(path)
    assert table.encoding == "utf-8"
    assert table.rows[999] == ("p1000", "Jos\u00e9", "x")
    assert table.rows[-1][2] == "caf\u00e9"
    assert len(table.rows) == len(data.splitlines()) - 1


def test_the_delimiter_is_sniffed_from_the_head_as_from_the_whole_text():
    text = "a;b\n" + "1;2\n" * (_SAMPLE_CHARS // 4) + "x,y,z,w\n" * 10
    head = scan_utf8(text.encode("utf-8"), _SAMPLE_CHARS + 1).head
    assert sniff_delimiter(head) == sniff_delimiter(text) == ";"


def test_a_file_of_white_space_is_empty(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(codecs.BOM_UTF8 + " \u00a0\n".encode("utf-8"))
    with pytest.raises(UserInputError, match="x.csv: is empty"):
        read_csv_source(path)


def test_fix_mmap_threshold_is_accepted_by_glibc():
    """In a new process (the setting is process-wide): True with glibc, False elsewhere, never an error."""
    code = "from peerimpact.formats.heap import fix_mmap_threshold as f; print(f(128 * 1024), f(2**31))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    glibc = platform.libc_ver()[0] == "glibc"
    assert out == [str(glibc), "False"]  # 2 GiB does not fit mallopt's int: nothing set, not an error


def test_fix_mmap_threshold_calls_mallopt_with_m_mmap_threshold(monkeypatch):
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(heap, "_mallopt", lambda: lambda param, value: calls.append((param, value)) or 1)
    assert heap.fix_mmap_threshold(4096) is True
    assert heap.fix_mmap_threshold() is True
    assert calls == [(-3, 4096), (-3, 128 * 1024)]
    monkeypatch.setattr(heap, "_mallopt", lambda: lambda param, value: 0)  # glibc refusing the value
    assert heap.fix_mmap_threshold(4096) is False
    with pytest.raises(ValueError, match="must be >= 0"):
        heap.fix_mmap_threshold(-1)


def test_fix_mmap_threshold_is_a_no_op_without_glibc(monkeypatch):
    monkeypatch.setattr(heap, "_mallopt", lambda: None)
    assert heap.fix_mmap_threshold() is False


@pytest.mark.parametrize("symbols", [{"mallopt"}, set()], ids=["musl-like", "no-mallopt"])
def test_a_c_library_that_is_not_glibc_gives_no_mallopt(monkeypatch, symbols):
    class Libc:
        def __init__(self, name):
            for symbol in symbols:
                setattr(self, symbol, lambda *a: 1)

    heap._mallopt.cache_clear()
    monkeypatch.setattr(heap.ctypes, "CDLL", Libc)
    try:
        assert heap._mallopt() is None
    finally:
        heap._mallopt.cache_clear()


def test_release_freed_memory_calls_malloc_trim_where_there_is_one(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(heap, "_malloc_trim", lambda: calls.append)
    assert heap.release_freed_memory() is True
    assert calls == [0]


def test_release_freed_memory_is_a_no_op_without_malloc_trim(monkeypatch):
    """musl, macOS, Windows: only garbage is collected, never an error."""
    monkeypatch.setattr(heap, "_malloc_trim", lambda: None)
    assert heap.release_freed_memory() is False


def test_a_c_library_without_malloc_trim_gives_none(monkeypatch):
    class NoTrim:
        def __init__(self, name):
            pass

    heap._malloc_trim.cache_clear()
    monkeypatch.setattr(heap.ctypes, "CDLL", NoTrim)
    try:
        assert heap._malloc_trim() is None
    finally:
        heap._malloc_trim.cache_clear()


def test_the_real_c_library_is_used_when_it_has_malloc_trim():
    trim = heap._malloc_trim()
    if trim is not None:  # glibc: the call returns 0 or 1
        assert trim(0) in (0, 1)
    assert heap.release_freed_memory() is (trim is not None)


def test_the_import_hands_freed_memory_back_before_it_validates(tmp_path, monkeypatch):
    """After mapping and after writing (the source and built rows freed), before load_study's checks."""
    write_files(tmp_path, {"study.yaml": STUDY_YAML, "mapping.yaml": CSV_MAPPING})
    for name, rows in (("people", PEOPLE), ("survey", survey_rows())):
        (tmp_path / f"{name}.csv").write_text(csv_text(rows, ","), encoding="utf-8")
    events: list[str] = []
    check = load_module.check_study_folder
    monkeypatch.setattr(importer, "release_freed_memory", lambda: events.append("release") or True)
    monkeypatch.setattr(importer, "_write_folder", lambda *a, _w=importer._write_folder: (events.append("write"), _w(*a))[1])
    monkeypatch.setattr(load_module, "check_study_folder", lambda folder, **kw: (
        events.append(f"validate keep_study={kw['keep_study']} sink={callable(kw.get('sink'))}"), check(folder, **kw))[1])
    import_study("csv", [tmp_path / "people.csv", tmp_path / "survey.csv"], tmp_path / "mapping.yaml", tmp_path / "study")
    # the study the checks build is dropped: it is not asked for (keep_study=False: responses not typed);
    # each problem goes to a sink as found (none kept in a list)
    assert events == ["release", "write", "release", "validate keep_study=False sink=True"]
