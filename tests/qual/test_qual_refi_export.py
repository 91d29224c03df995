"""REFI-QDA export: validity against the official XSDs, contents, stable GUIDs, golden files."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from peerimpact.qual import export_qdc, export_qdpx, qual_data
from peerimpact.qual.guids import stable_guid
from peerimpact.qual.refi.common import PROJECT_NS
from qual_helpers import REFI
from qual_regenerate import EXPORTS, export_goldens

NS = {"q": PROJECT_NS}


@pytest.fixture(scope="session")
def project_schema():
    return etree.XMLSchema(etree.parse(str(REFI / "xsd" / "Project.xsd")))


@pytest.fixture(scope="session")
def codebook_schema():
    return etree.XMLSchema(etree.parse(str(REFI / "xsd" / "Codebook.xsd")))


@pytest.fixture(scope="module")
def mini_export(mini_study, tmp_path_factory):
    path = export_qdpx(mini_study, tmp_path_factory.mktemp("export") / "project.qdpx")
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    return path, files, etree.fromstring(files["project.qde"])


def test_mini_export_validates(mini_export, project_schema):
    _, _, root = mini_export
    assert project_schema.validate(root), project_schema.error_log


def test_demo_export_validates(demo_study, project_schema, codebook_schema, tmp_path):
    path = export_qdpx(demo_study, tmp_path / "demo.qdpx")
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
        assert len([n for n in zf.namelist() if n.startswith("sources/")]) == len(demo_study.transcripts)
    assert project_schema.validate(root), project_schema.error_log
    qdc = etree.parse(str(export_qdc(demo_study, tmp_path / "demo.qdc")))
    assert codebook_schema.validate(qdc), codebook_schema.error_log


def test_qdc_validates_and_has_hierarchy_and_sets(mini_study, codebook_schema, tmp_path):
    doc = etree.parse(str(export_qdc(mini_study, tmp_path / "codebook.qdc")))
    assert codebook_schema.validate(doc), codebook_schema.error_log
    ns = {"c": "urn:QDA-XML:codebook:1.0"}
    assert doc.xpath("/c:CodeBook/c:Codes/c:Code[@name='Drawing on lived experience']/c:Code/@name", namespaces=ns) == ["Sharing one's recovery story"]
    assert doc.xpath("//c:Set[@name='Feeling valued']/c:MemberCode/@guid", namespaces=ns) == [stable_guid("code", "being_valued")]


def test_export_is_byte_identical_and_matches_golden(mini_study, mini_export, tmp_path):
    path, files, _ = mini_export
    again = export_qdpx(mini_study, tmp_path / "again.qdpx")
    assert again.read_bytes() == path.read_bytes()
    golden = {p.name: p.read_bytes() for p in EXPORTS.iterdir()}
    assert export_goldens(mini_study) == golden, "export changed: review, then run tests/qual/qual_regenerate.py"


def test_zip_layout_and_sources(mini_study, mini_export):
    _, files, root = mini_export
    assert sorted(files) == ["project.qde"] + sorted(f"sources/{stable_guid('source', i)}.txt" for i in mini_study.transcripts)
    for iid, t in mini_study.transcripts.items():
        data = files[f"sources/{stable_guid('source', iid)}.txt"]
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data  # UTF-8, no BOM, LF
        assert data.decode("utf-8") == t.text


def test_users_cases_and_variables(mini_export):
    _, _, root = mini_export
    assert root.xpath("q:Users/q:User/@name", namespaces=NS) == ["coder_a", "coder_b", "Sam (service user researcher)"]
    cases = {c.get("name"): c.xpath("q:SourceRef/@targetGUID", namespaces=NS) for c in root.xpath("q:Cases/q:Case", namespaces=NS)}
    assert cases == {
        "01": [stable_guid("source", "S1-PW01-T1"), stable_guid("source", "S1-PW01-T2")],
        "02": [stable_guid("source", "S1-PW02-T1")],
        "03": [stable_guid("source", "S2-PW03-T2")],
    }
    src = root.xpath("q:Sources/q:TextSource[@name='S2-PW03-T2']", namespaces=NS)[0]
    values = {}
    for vv in src.xpath("q:VariableValue", namespaces=NS):
        var = root.xpath(f"q:Variables/q:Variable[@guid='{vv[0].get('targetGUID')}']/@name", namespaces=NS)[0]
        values[var] = vv.xpath("q:TextValue/text()", namespaces=NS)[0]
    assert values == {"site": "2", "timepoint": "T2"}


def test_selections_are_named_with_their_quotes(mini_study, mini_export):
    _, _, root = mini_export
    n = 0
    for src in root.xpath("q:Sources/q:TextSource", namespaces=NS):
        text = mini_study.transcripts[src.get("name")].text
        for sel in src.xpath("q:PlainTextSelection", namespaces=NS):
            assert sel.get("name") == text[int(sel.get("startPosition")):int(sel.get("endPosition"))]
            n += 1
    assert n == len(set(qual_data(mini_study).codings["segment_id"]))
    seg01 = root.xpath(f"//q:PlainTextSelection[@guid='{stable_guid('selection', 'seg01')}']", namespaces=NS)[0]
    users = [c.get("creatingUser") for c in seg01.xpath("q:Coding", namespaces=NS)]
    assert users == [stable_guid("user", "coder_a"), stable_guid("user", "coder_b"), stable_guid("user", "coder_b")]
    assert seg01.get("creatingUser") is None  # two coders: the selection itself has no single creator


def test_codebook_hierarchy_colours_and_history(mini_export):
    _, _, root = mini_export
    top = root.xpath("q:CodeBook/q:Codes/q:Code/@name", namespaces=NS)
    assert top[-1] == "Codes of earlier codebook versions"
    assert root.xpath("//q:Code[@name='Being valued by the team']/q:Code/@name", namespaces=NS) == ["Feeling like a token"]
    assert root.xpath("//q:Code[@name='Supervision']/@color", namespaces=NS) == ["#7570b3"]
    history = root.xpath("//q:Code[@name='Codes of earlier codebook versions']/q:Code", namespaces=NS)
    assert [(c.get("name"), c.get("isCodable")) for c in history] == [
        ("burden", "false"), ("paperwork", "false"), ("role", "false"), ("triggers", "false")]
    assert root.xpath("//q:Code[@name='Drawing on lived experience']/@guid", namespaces=NS) == [stable_guid("code", "lived_experience")]


def test_memos_are_notes_attached_to_their_targets(mini_export):
    _, _, root = mini_export

    def note(memo_id):
        return stable_guid("memo", memo_id)

    assert root.xpath("//q:Code[@name='Being valued by the team']/q:NoteRef/@targetGUID", namespaces=NS) == [note("M01")]
    assert root.xpath("q:Sets/q:Set[@name='Feeling connected']/q:MemberNote/@targetGUID", namespaces=NS) == [note("M02")]
    assert root.xpath("q:Sources/q:TextSource[@name='S1-PW01-T2']/q:NoteRef/@targetGUID", namespaces=NS) == [note("M03")]
    assert root.xpath(f"//q:PlainTextSelection[@guid='{stable_guid('selection', 'seg05')}']/q:NoteRef/@targetGUID", namespaces=NS) == [note("M04")]
    m03 = root.xpath(f"q:Notes/q:Note[@guid='{note('M03')}']", namespaces=NS)[0]
    assert m03.get("creatingUser") == stable_guid("user", "Sam (service user researcher)")
    assert m03.get("creationDateTime") == "2020-07-03T00:00:00"
    assert m03.xpath("q:PlainTextContent/text()", namespaces=NS) == ["I recognised my own first months in this interview."]


def test_export_writes_atomically(mini_study, tmp_path, monkeypatch):
    target = tmp_path / "project.qdpx"
    target.write_bytes(b"previous")
    import peerimpact.fileio as fileio  # the export writes through the one atomic writer

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(fileio.os, "replace", boom)
    with pytest.raises(OSError):
        export_qdpx(mini_study, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["project.qdpx"]


def test_every_field_the_study_has_is_one_the_export_carries():
    # Tripwire: export-qdpx carries each field below (REFI-QDA element or the metadata note) and the import reads it back
    # (tests/qual/test_qual_refi_roundtrip.py). A field added to these models or to qual/codings.csv fails here until the
    # export carries it, so it cannot be dropped silently. Version and Change travel whole (model_dump in the note).
    from peerimpact.qual.codebook import Code, Codebook, Theme
    from peerimpact.qual.memos import Memo, MemoTarget
    from peerimpact.qual.refi.export import _CARRIED, _OWN
    from peerimpact.study.tables import CODINGS

    assert set(Codebook.model_fields) == {"version", "codes", "themes", "versions"}
    assert set(Code.model_fields) == {"id", "guid", "name", "description", "inclusion", "exclusion", "colour", "origin", "parent"}
    assert set(Theme.model_fields) == {"id", "guid", "name", "description", "valence", "codes"}
    assert set(Memo.model_fields) == {"id", "target", "kind", "author", "date", "text"}
    assert set(MemoTarget.model_fields) == {"type", "id"}
    assert set(CODINGS.column_names) <= set(_CARRIED) | set(_OWN)  # any other column's cells travel in the note
