"""NVivo-style selections (``name=""``, UTF-16 code units of the file as written) around line ends, BOMs and emoji.

Positions are computed here from the raw file text by encoding its prefix as
UTF-16 (``len(raw[:i].encode("utf-16-le")) // 2``), so a CRLF counts two and a
lone LF or CR one, exactly as the producer counted the file; the expected
quote is the raw slice with its line ends turned into LF. Neither uses the
import's position maps.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from peerimpact.qual.refi import import_qdpx

SRC, USER, CODE = "0b6a1d3e-2222-4222-8333-000000000001", "0b6a1d3e-2222-4222-8333-000000000002", "0b6a1d3e-2222-4222-8333-000000000003"


def units(raw: str, i: int) -> int:
    return len(raw[:i].encode("utf-16-le")) // 2


def lf(s: str) -> str:
    return s.replace("\r\n", "\n").replace("\r", "\n")


def project(raw: str, spans: list[tuple[int, int]], positions: list[tuple[int, int]]) -> bytes:
    sels = "".join(
        f'<PlainTextSelection guid="0b6a1d3e-2222-4222-8333-1{k:011d}" name="" startPosition="{s}" endPosition="{e}" creatingUser="{USER}">'
        f'<Coding guid="0b6a1d3e-2222-4222-8333-2{k:011d}" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
        for k, (s, e) in enumerate(positions))
    qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="NVivo for Windows 12.6">'
           f'<Users><User guid="{USER}" name="Ann"/></Users><CodeBook><Codes><Code guid="{CODE}" name="C1" isCodable="true"/></Codes></CodeBook>'
           f'<Sources><TextSource guid="{SRC}" name="Interview 1" plainTextPath="internal://{SRC}.txt">{sels}</TextSource></Sources></Project>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"sources/{SRC}.txt", ("\ufeff" + raw).encode("utf-8"))
    return buf.getvalue()


MIXED = "PW: I felt 😊 valued.\r\nInterviewer: Why?\nPW: The team 👍 listened.\r\nEnd.\n"
OLD_MAC = "PW: First line here.\rInterviewer: And then?\rPW: Then the 🌱 grew.\r"
CRLF = "😊 Start of text.\r\nPW: middle 👍\r\nPW: last line.\r\n"


def words(raw: str, *found: str) -> list[tuple[int, int]]:
    return [(raw.index(w), raw.index(w) + len(w)) for w in found]


CASES = [
    # Before: every line end counted two under CRLF-as-two, so spans after a lone LF or CR landed one character late per line.
    pytest.param(MIXED, words(MIXED, "felt 😊 valued", "Why?", "The team 👍 listened", "End.\n", "valued.\r\nInterviewer"), None, id="crlf-and-lone-lf"),
    pytest.param(OLD_MAC, words(OLD_MAC, "First", "And then?\rPW", "🌱 grew.\r"), None, id="lone-cr"),
    # Spans on the edges: at 0 after the BOM, starting or ending at an emoji, ending after the last CRLF, the whole text.
    pytest.param(CRLF, [(0, 2), (0, len(CRLF)), *words(CRLF, "👍", "middle 👍\r\n", "last line.\r\n")], None, id="edges"),
    # Before: one selection ending between CR and LF made the whole source fall back to code points, moving every other span.
    pytest.param(CRLF, words(CRLF, "Start", "middle", "last line."), (lambda raw: units(raw, raw.index("text.\r\n") + 6), "falls inside a character or a line end"),
                 id="one-end-inside-crlf"),
    # Before: one selection ending a unit past the end left no convention that fits every position, and all were lost.
    pytest.param(CRLF, words(CRLF, "Start", "middle", "last line."), (lambda raw: units(raw, len(raw)) + 1, "is past the end of the text"), id="one-end-past-the-end"),
]


@pytest.mark.parametrize(("raw", "spans", "odd"), CASES)
def test_every_span_lands_on_its_quote(tmp_path, raw, spans, odd):
    positions = [(units(raw, s), units(raw, e)) for s, e in spans]
    if odd is not None:  # one more selection, from the start to an odd end position
        spans.append((0, 1))
        positions.append((0, odd[0](raw)))
    path = tmp_path / "p.qdpx"
    path.write_bytes(project(raw, spans, positions))
    result = import_qdpx(path)
    text = result.transcripts["Interview 1"]
    assert text == lf(raw)
    want = [lf(raw[s:e]) for s, e in spans[: len(spans) - (odd is not None)]]
    assert sorted(text[r["start"]:r["end"]] for r in result.codings.to_dict("records")) == sorted(want)
    lost = [i.detail for i in result.report.lost]
    if odd is None:
        assert lost == []
    else:
        assert len(lost) == 1 and odd[1] in lost[0]
