"""Hostile or broken archives: exit 2, one line naming the reason, nothing written (study files hashed before and after)."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile

import pytest
from typer.testing import CliRunner

from peerimpact.cli.qual import app
from peerimpact.errors import UserInputError
from peerimpact.qual.refi import import_qdpx
from peerimpact.qual.refi.archive import Archive

G = "0b6a1d3e-1111-4222-8333-944455556666"
SEL = "0b6a1d3e-1111-4222-8333-000000000009"
PROJECT = (
    '<?xml version="1.0" encoding="utf-8"?>{dtd}<Project xmlns="urn:QDA-XML:project:1.0" name="h">'
    f'<Sources><TextSource guid="{G}" name="S1-PW01-T3" plainTextPath="internal://{G}.txt">'
    f'<PlainTextSelection guid="{SEL}" name="" startPosition="{{start}}" endPosition="{{end}}"/>'
    "</TextSource></Sources></Project>"
)
TEXT = b"PW: hello there.\n"


def qde(start=0, end=5, dtd=""):
    return PROJECT.format(dtd=dtd, start=start, end=end).encode("utf-8")


def archive(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def good() -> dict[str, bytes]:
    return {"project.qde": qde(), f"sources/{G}.txt": TEXT}


def lying_size(data: bytes, member: str, declared: int) -> bytes:
    """Rewrite the uncompressed size recorded for ``member`` (local header and central directory)."""
    name = member.encode()
    out = bytearray(data)
    i = out.find(b"PK\x03\x04")
    while i != -1:
        n = struct.unpack_from("<H", out, i + 26)[0]
        if bytes(out[i + 30:i + 30 + n]) == name:
            struct.pack_into("<I", out, i + 22, declared)
        i = out.find(b"PK\x03\x04", i + 4)
    j = out.find(b"PK\x01\x02")
    while j != -1:
        n = struct.unpack_from("<H", out, j + 28)[0]
        if bytes(out[j + 46:j + 46 + n]) == name:
            struct.pack_into("<I", out, j + 24, declared)
        j = out.find(b"PK\x01\x02", j + 4)
    return bytes(out)


BOMB = b"A" * (3 * 1024 * 1024)  # 3 MiB that compress to a few KiB
CASES = [
    pytest.param(lambda: archive(good() | {"sources/big.txt": BOMB}), ["--max-size", "2"],
                 f"p.qdpx: members declare {len(BOMB) + len(qde()) + len(TEXT)} bytes uncompressed, over the limit of 2097152 bytes; refused",
                 id="declared-size"),
    pytest.param(lambda: lying_size(archive({"project.qde": qde(), f"sources/{G}.txt": BOMB}), f"sources/{G}.txt", 10), ["--max-size", "2"],
                 f"p.qdpx: member 'sources/{G}.txt' cannot be read (truncated or corrupt archive)", id="lying-size"),
    pytest.param(lambda: archive(good() | {"../evil.txt": b"x"}), [], "p.qdpx: member '../evil.txt' has an absolute or '..' path; refused", id="dotdot"),
    pytest.param(lambda: archive(good() | {"/etc/evil.txt": b"x"}), [], "p.qdpx: member '/etc/evil.txt' has an absolute or '..' path; refused", id="absolute"),
    pytest.param(lambda: archive({"project.qde": qde(dtd='<!DOCTYPE Project [<!ENTITY x "boom">]>'), f"sources/{G}.txt": TEXT}), [],
                 "p.qdpx: project.qde declares a DTD or an entity (<!DOCTYPE or <!ENTITY); refused, never resolved", id="dtd-entity"),
    pytest.param(lambda: archive({"project.qde": qde(dtd='<!DOCTYPE Project SYSTEM "http://example.org/x.dtd">'), f"sources/{G}.txt": TEXT}), [],
                 "p.qdpx: project.qde declares a DTD or an entity (<!DOCTYPE or <!ENTITY); refused, never resolved", id="external-dtd"),
    pytest.param(lambda: archive({"project.qde": qde(0, 999), f"sources/{G}.txt": TEXT}), [],
                 f"project.qde:1:endPosition: source 'S1-PW01-T3', selection {SEL}: position 999 is past the end of its text "
                 "(17 characters, at most 21 units under any counting)", id="past-end"),
    pytest.param(lambda: archive(good())[:-30], [], "p.qdpx: not a REFI-QDA project (.qdpx is a zip file): File is not a zip file", id="truncated-directory"),
    pytest.param(lambda: _truncated_member(), [], "p.qdpx: member 'project.qde' cannot be read (truncated or corrupt archive)", id="truncated-member"),
]


def _docx(pad: int = 0, dtd: bool = False) -> bytes:
    """A Word document (python-docx) saying ``PW: hello there.``, optionally with ``pad`` bytes of zeros or a DTD in a part."""
    import docx

    document = docx.Document()
    document.add_paragraph("PW: hello there.")
    buf = io.BytesIO()
    document.save(buf)
    with zipfile.ZipFile(buf) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    if dtd:
        parts["word/document.xml"] = parts["word/document.xml"].replace(b"?>", b'?><!DOCTYPE w:document [<!ENTITY x "boom">]>', 1)
    if pad:
        parts["word/media/pad.bin"] = bytes(pad)
    return archive(parts)


def rich(docx: bytes) -> bytes:
    """A project whose one source is a .docx rich text (as NVivo for Mac writes it when the plain text is missing)."""
    qde_text = qde().decode().replace(f'plainTextPath="internal://{G}.txt"', f'richTextPath="internal://{G}.docx"')
    return archive({"project.qde": qde_text.encode(), f"sources/{G}.docx": docx})


UTF7_DTD = ('<?xml version="1.0" encoding="UTF-7"?>+ADwAIQ-DOCTYPE Project +AFs-+ADwAIQ-ENTITY x "boom"+AD4AXQA+-'
            '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>').encode("ascii")
REFUSED_ENCODING = "only UTF-8 and UTF-16 XML is read (a DTD could hide in another encoding); refused"
CASES += [
    # Before: the byte scan looks for <!DOCTYPE in UTF-8 and UTF-16 only, so these were parsed with the entity expanded.
    pytest.param(lambda: archive({"project.qde": qde(dtd='<!DOCTYPE Project [<!ENTITY x "boom">]>').decode().encode("utf-32-le"), f"sources/{G}.txt": TEXT}), [],
                 f"p.qdpx: project.qde is encoded as UTF-32; {REFUSED_ENCODING}", id="dtd-in-utf-32"),
    pytest.param(lambda: archive({"project.qde": UTF7_DTD, f"sources/{G}.txt": TEXT}), [],
                 f"p.qdpx: project.qde is encoded as UTF-7; {REFUSED_ENCODING}", id="dtd-in-utf-7"),
    # Before: a .docx inside the archive was unzipped by python-docx with no limit, and its XML parts were not scanned.
    pytest.param(lambda: rich(_docx(pad=3 * 1024 * 1024)), ["--max-size", "2"],
                 f"p.qdpx: {G}.docx declares", id="docx-bomb"),
    pytest.param(lambda: rich(_docx(dtd=True)), [],
                 f"p.qdpx: {G}.docx part word/document.xml declares a DTD or an entity (<!DOCTYPE or <!ENTITY); refused, never resolved", id="docx-dtd"),
]


def _truncated_member() -> bytes:
    """A zip whose central directory is intact but whose first member's data are cut short."""
    data = archive({"project.qde": qde() * 50, f"sources/{G}.txt": TEXT})
    start = 30 + len("project.qde")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        size = zf.getinfo("project.qde").compress_size
    return data[:start + size // 2] + bytes(size - size // 2) + data[start + size:]


def hashes(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("make", "args", "message"), CASES)
def test_hostile_archive_exit_2_nothing_written(make, args, message, mini_study_dir, tmp_path):
    path = tmp_path / "p.qdpx"
    path.write_bytes(make())
    before = hashes(mini_study_dir)
    result = CliRunner().invoke(app, ["import-qdpx", str(path), "--into", str(mini_study_dir), *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert hashes(mini_study_dir) == before
    assert not list(mini_study_dir.parent.glob(".*peerimpact*"))  # no staging left beside the study


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        pytest.param(["--max-size", "2"], 2, CASES[0].values[2], id="over-2-MiB"),
        pytest.param(["--max-size", "4"], 0, "1 sources", id="under-4-MiB"),
        pytest.param([], 0, "1 sources", id="default-512-MiB"),
    ],
)
def test_inspect_has_the_same_max_size_as_import(args, exit_code, message, tmp_path):
    # Before: inspect had no --max-size (import had one), so a project over 512 MiB could be imported but not inspected.
    path = tmp_path / "p.qdpx"
    path.write_bytes(archive(good() | {"sources/big.txt": BOMB}))
    template = tmp_path / "sources.csv"
    result = CliRunner().invoke(app, ["inspect", str(path), "--sources-out", str(template), *args])
    assert result.exit_code == exit_code, result.output
    assert message in result.stderr
    assert template.exists() == (exit_code == 0)


def test_streamed_read_is_capped_even_when_sizes_lie(tmp_path):
    # zipfile stops at the declared size and then fails the CRC: the cap and the CRC both stand guard.
    path = tmp_path / "p.qdpx"
    path.write_bytes(lying_size(archive({"project.qde": qde(), f"sources/{G}.txt": BOMB}), f"sources/{G}.txt", 10))
    arch = Archive(path, limit=1024 * 1024)
    with pytest.raises(UserInputError) as err:
        arch.read(f"sources/{G}.txt")
    arch.close()
    assert "cannot be read" in str(err.value)


def test_streamed_cap_counts_all_members(tmp_path):
    path = tmp_path / "p.qdpx"
    path.write_bytes(archive(good() | {"sources/a.txt": b"x" * 600, "sources/b.txt": b"y" * 600}))
    arch = Archive(path, limit=len(qde()) + len(TEXT) + 1200)
    arch.read("sources/a.txt")
    arch.limit = 1000  # as if the declared sizes had understated the total
    with pytest.raises(UserInputError) as err:
        arch.read("sources/b.txt")
    arch.close()
    assert str(err.value) == "p.qdpx: more than 1000 bytes uncompressed (the declared sizes are wrong); refused"


def test_a_good_docx_source_imports(tmp_path):
    path = tmp_path / "p.qdpx"
    path.write_bytes(rich(_docx()))
    assert import_qdpx(path).transcripts == {"S1-PW01-T3": "PW: hello there."}


def test_a_good_archive_imports(tmp_path):
    path = tmp_path / "p.qdpx"
    path.write_bytes(archive(good()))
    result = import_qdpx(path)
    assert result.transcripts == {"S1-PW01-T3": TEXT.decode()}
