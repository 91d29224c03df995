"""Projects written the way other tools write them (tests/fixtures/qual/refi/make_producers.py) import exactly.

Every expected quote is sliced by the fixture builder from its own text at the
span it chose (code points), never computed by the import's anchoring code.
"""

from __future__ import annotations

import collections
import csv
import hashlib
import io
import sys
import zipfile

import pytest
from lxml import etree
from typer.testing import CliRunner

import peerimpact
from peerimpact.cli.qual import app
from peerimpact.qual.refi import ImportLossError, import_qdc, import_qdc_into, import_qdpx, import_qdpx_into, inspect_qdpx
from qual_helpers import REFI

sys.path.insert(0, str(REFI))
import make_producers as mp  # noqa: E402

CODED = ["nvivo_windows.qdpx", "nvivo_mac.qdpx", "qc.qdpx"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("producers")
    files = {}
    for fname, build in mp.PRODUCERS.items():
        b = build()
        (out / fname).write_bytes(b.data)
        files[fname] = (out / fname, b)
    return files


def hashes(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def coder_id(name: str) -> str:
    return name.lower().replace(" ", "_")


def got_codings(result):
    names = {c.id: c.name for c in result.codebook.codes}
    return collections.Counter(
        (r["interview_id"], names[r["code"]], r["coder"], result.transcripts[r["interview_id"]][r["start"]:r["end"]])
        for r in result.codings.to_dict("records"))


@pytest.mark.parametrize("fname", list(mp.PRODUCERS), ids=list(mp.PRODUCERS))
def test_fixture_is_valid_refi(built, fname):
    path, _ = built[fname]
    if fname.endswith(".qdc"):
        schema, doc = etree.XMLSchema(etree.parse(str(REFI / "xsd" / "Codebook.xsd"))), path.read_bytes()
    else:
        schema = etree.XMLSchema(etree.parse(str(REFI / "xsd" / "Project.xsd")))
        with zipfile.ZipFile(path) as zf:
            doc = zf.read(next(n for n in zf.namelist() if n.endswith(".qde")))
    assert schema.validate(etree.fromstring(doc)), schema.error_log


@pytest.mark.parametrize("fname", CODED, ids=CODED)
def test_every_span_lands_on_its_quote(built, fname):
    path, b = built[fname]
    result = import_qdpx(path)
    want = collections.Counter((src, code, coder_id(coder), quote) for src, code, coder, quote in b.expected)
    assert got_codings(result) == want
    assert result.report.lost == []
    assert {k: result.transcripts[k] for k in b.texts} == {k: t.replace("\r\n", "\n") for k, t in b.texts.items()}


@pytest.mark.parametrize(
    ("fname", "convention", "why"),
    [
        ("nvivo_windows.qdpx", "UTF-16 code units, line ends counted as 2, no BOM counted",
         ("no quoted text; the producer's default", "no quoted text; the only convention consistent with every position, and the producer's default")),
        ("nvivo_mac.qdpx", "UTF-16 code units, line ends counted as 1, no BOM counted",
         ("no quoted text; the producer's default", "no quoted text; the only convention consistent with every position, and the producer's default")),
        ("qc.qdpx", "code points, line ends counted as 1, no BOM counted", "8 of 8 selection(s) matched their quoted text"),
    ],
    ids=["nvivo-windows", "nvivo-mac", "qc"],
)
def test_convention_and_reason_reported_per_source(built, fname, convention, why):
    result = import_qdpx(built[fname][0])
    assert set(result.sources["convention"]) == {convention}
    assert all(w.startswith(why) for w in result.sources["why"])


def test_nvivo_windows_scale_and_hierarchy(built):
    path, b = built["nvivo_windows.qdpx"]
    result = import_qdpx(path)
    assert len(result.codebook.codes) == 150 and len(result.codings) == len(b.expected) >= 300
    parents = {c.name: (result.codebook.code(c.parent).name if c.parent else None) for c in result.codebook.codes}
    assert parents == dict(b.codes)
    assert "\ufeff" not in "".join(result.transcripts.values()) and "\r" not in "".join(result.transcripts.values())


def test_nvivo_mac_falls_back_to_the_docx_and_says_so(built):
    result = import_qdpx(built["nvivo_mac.qdpx"][0])
    fallbacks = [i for i in result.report.items if i.kind == "fallback"]
    assert len(fallbacks) == 2 and all("plain text holds no words; text taken from its rich text" in i.detail for i in fallbacks)


def test_qc_sources_are_named_from_their_relative_paths(built):
    result = import_qdpx(built["qc.qdpx"][0])
    assert sorted(result.transcripts) == ["board_2017", "board_2018"]


def test_atlas_users_without_codings_are_reported_lost(built, mini_study_dir):
    path, b = built["atlas.qdpx"]
    result = import_qdpx(path)
    assert [i.detail.split(" made")[0] for i in result.report.lost] == ["user 'Dee Analyst'", "user 'Eli Analyst'", "user 'Fay Analyst'"]
    assert {c.name: (result.codebook.code(c.parent).name if c.parent else None) for c in result.codebook.codes} == dict(b.codes)
    before = hashes(mini_study_dir)
    with pytest.raises(ImportLossError):
        import_qdpx_into(path, mini_study_dir)
    assert hashes(mini_study_dir) == before
    summary = import_qdpx_into(path, mini_study_dir, accept_loss=True)
    assert any(rel.startswith("qual/imports/") for rel in summary.written)
    book = peerimpact.load_study(mini_study_dir).codebook
    assert {c["name"] for c in book["codes"]} >= {name for name, _ in b.codes}


def test_maxqda_codes_descriptions_colours_and_lost_sets(built):
    path, b = built["maxqda.qdpx"]
    result = import_qdpx(path)
    assert len(result.transcripts) == 10 and len(result.codebook.codes) == 320
    assert all(c.description and c.colour for c in result.codebook.codes)
    assert result.codebook.code(result.codebook.code_ids[1]).description == "Synthetic code 1.1: when to use it."
    assert sum(1 for i in result.report.lost if i.element == "Set") == 4


def test_taguette_qdc_becomes_a_new_codebook_version(built, mini_study_dir):
    path, b = built["taguette.qdc"]
    book, report = import_qdc(path)
    assert [(c.name, book.code(c.parent).name if c.parent else None) for c in book.codes] == b.codes and report.items == []
    old = peerimpact.load_study(mini_study_dir).codebook
    summary = import_qdc_into(path, mini_study_dir)
    assert summary.written == ["qual/codebook.yaml"]
    new = peerimpact.load_study(mini_study_dir).codebook  # the whole study still validates
    assert new["version"] == old["version"] + 1
    assert [c["id"] for c in new["codes"]][: len(old["codes"])] == [c["id"] for c in old["codes"]]
    assert len(new["codes"]) == len(old["codes"]) + 16


def test_unplaceable_codings_exit_2_and_write_nothing(built, mini_study_dir, tmp_path):
    # The NVivo file without its origin: no producer default, and the positions fit several conventions.
    with zipfile.ZipFile(built["nvivo_windows.qdpx"][0]) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    entries["project.qde"] = entries["project.qde"].replace(b' origin="NVivo for Windows 12.6"', b"")
    path = tmp_path / "no_origin.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in entries.items():
            zf.writestr(n, d)
    mapping = tmp_path / "sources.csv"
    ids = ["S1-PW01-T3", "S1-PW02-T2", "S1-PW02-T3", "S2-PW03-T1"]
    mapping.write_text("source,interview_id\n" + "".join(f"Interview North {k + 3:02d},{iid}\n" for k, iid in enumerate(ids)), encoding="utf-8")
    before = hashes(mini_study_dir)
    result = CliRunner().invoke(app, ["import-qdpx", str(path), "--into", str(mini_study_dir), "--sources", str(mapping)])
    assert result.exit_code == 2
    assert "would lose unanchored: PlainTextSelection" in result.stderr
    assert hashes(mini_study_dir) == before


def test_inspect_map_import_workflow(built, mini_study_dir, tmp_path):
    path, b = built["nvivo_windows.qdpx"]
    found = inspect_qdpx(path)
    assert found.origin == "NVivo for Windows 12.6"
    assert list(found.sources["name"]) == list(b.texts) and list(found.sources["length"]) == [len(t) for t in b.texts.values()]
    assert list(found.sources["codings"]) == [sum(1 for e in b.expected if e[0] == n) for n in b.texts]
    template = tmp_path / "sources.csv"
    run = CliRunner().invoke(app, ["inspect", str(path), "--sources-out", str(template)])
    assert run.exit_code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(template.read_text(encoding="utf-8"))))
    assert [r["name"] for r in rows] == list(b.texts) and all(r["interview_id"] == "" for r in rows)
    ids = ["S1-PW01-T3", "S1-PW02-T2", "S1-PW02-T3", "S2-PW03-T1"]
    for r, iid in zip(rows, ids):
        r["interview_id"] = iid
    with template.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["source", "name", "interview_id"])
        w.writeheader()
        w.writerows(rows)
    run = CliRunner().invoke(app, ["import-qdpx", str(path), "--into", str(mini_study_dir), "--sources", str(template)])
    assert run.exit_code == 0, run.stderr
    study = peerimpact.load_study(mini_study_dir)  # validate passes
    by_name = dict(zip(b.texts, ids))
    from peerimpact.qual import qual_data

    data = qual_data(study)
    names = {c.id: c.name for c in data.codebook.codes}
    imported = data.codings[data.codings["interview_id"].isin(ids)]
    assert collections.Counter((r["interview_id"], names[r["code"]], r["coder"], r["quote"]) for r in imported.to_dict("records")) == collections.Counter(
        (by_name[s], c, coder_id(u), q) for s, c, u, q in b.expected)
    n = len(study.codings)
    again = CliRunner().invoke(app, ["import-qdpx", str(path), "--into", str(mini_study_dir), "--sources", str(template)])
    assert again.exit_code == 0, again.stderr
    assert len(peerimpact.load_study(mini_study_dir).codings) == n  # merge: identical codings once
    assert f"0 coding(s) added, {len(b.expected)} identical coding(s) already in the study" in again.stderr


def test_inspect_json_lists_every_table(built, tmp_path):
    path, b = built["maxqda.qdpx"]
    run = CliRunner().invoke(app, ["inspect", str(path), "--sources-out", str(tmp_path / "s.csv"), "--format", "json"])
    assert run.exit_code == 0, run.stderr
    import json

    found = json.loads(run.stdout)
    assert found["origin"] == "MAXQDA 24 (Release 24.0.0)"
    assert [s["name"] for s in found["sources"]] == list(b.texts)
    assert [s["length"] for s in found["sources"]] == [len(t) for t in b.texts.values()]
    assert [c["name"] for c in found["codes"]] == [name for name, _ in b.codes]
    assert [(s["name"], s["sources"], s["codes"]) for s in found["sets"]] == [("Wave 1", 5, 0), ("Wave 2", 5, 0)]
    assert [u["name"] for u in found["users"]] == ["Gus"] and found["cases"] == [] and found["variables"] == []


def test_import_qdc_cli(built, mini_study_dir):
    path, b = built["taguette.qdc"]
    run = CliRunner().invoke(app, ["import-qdc", str(path), "--into", str(mini_study_dir)])
    assert run.exit_code == 0, run.stderr
    assert "16 code(s) added to the codebook" in run.stderr
    again = CliRunner().invoke(app, ["import-qdc", str(path), "--into", str(mini_study_dir)])
    assert "0 code(s) added to the codebook" in again.stderr and "16 already in it" in again.stderr


def test_maxqda_qdc_sets_become_themes(built, mini_study_dir):
    path, b = built["maxqda.qdc"]
    book, report = import_qdc(path)
    assert report.items == []
    assert [(t.name, [book.code(c).name for c in t.codes], t.description) for t in book.themes] == [
        ("Working conditions", ["MQ 1.1", "MQ 1.2"], "Synthetic set.")]
    import_qdc_into(path, mini_study_dir)
    themes = peerimpact.load_study(mini_study_dir).codebook["themes"]
    assert "Working conditions" in [t["name"] for t in themes]


def test_nvivo_mac_without_plain_text_files_uses_the_docx(built, tmp_path):
    path, b = built["nvivo_mac.qdpx"]
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist() if not n.endswith(".txt")}
    stripped = tmp_path / "no_txt.qdpx"
    with zipfile.ZipFile(stripped, "w") as zf:
        for n, d in entries.items():
            zf.writestr(n, d)
    result = import_qdpx(stripped)
    assert got_codings(result) == collections.Counter((s, c, coder_id(u), q) for s, c, u, q in b.expected)
    assert [i.detail.split(": ")[1].split(";")[0] for i in result.report.items if i.kind == "fallback"] == ["plain text file is missing"] * 2
    assert result.report.lost == []


@pytest.mark.parametrize(
    ("existing", "exit_code", "message"),
    [
        pytest.param("source,name,interview_id\nabc,Interview North 03,S1-PW01-T3\n", 2, "already maps 1 source(s) to interview ids; not overwritten", id="filled-in"),
        pytest.param("participant_id,site\n01,1\n", 2, "exists and is not a sources.csv template; not overwritten", id="another-file"),
        pytest.param("source,name,interview_id\nabc,Interview North 03,\n", 0, "wrote", id="empty-template"),
    ],
)
def test_inspect_never_overwrites_a_filled_in_mapping(built, tmp_path, existing, exit_code, message):
    # Before: re-running inspect silently replaced the user's filled-in sources.csv with an empty template.
    target = tmp_path / "sources.csv"
    target.write_text(existing, encoding="utf-8")
    run = CliRunner().invoke(app, ["inspect", str(built["nvivo_windows.qdpx"][0]), "--sources-out", str(target)])
    assert run.exit_code == exit_code and message in run.stderr
    if exit_code:
        assert target.read_text(encoding="utf-8") == existing and run.stdout == ""
    else:
        assert len(target.read_text(encoding="utf-8").splitlines()) == 5
