"""Export -> import gives identical codings, codebook and transcripts, for quotes that are hard to carry.

The study gets a transcript saved with a BOM and CRLF line ends and emoji, and
codings whose quotes begin or end with whitespace or a line end, cross a line
end, hold an emoji, or are longer than the exported selection name. Spans are
found in the text by ``str.find`` on literal phrases, independently of the
import's anchoring.
"""

from __future__ import annotations

import csv
import io
import shutil

import pandas as pd
import pytest

import peerimpact
from peerimpact.qual import export_qdpx, qual_data
from peerimpact.qual.refi import import_qdpx, import_qdpx_into
from peerimpact.qual.refi.export import NAME_LIMIT

IID = "S1-PW02-T2"
LONG = "PW: " + " ".join(["We talked and talked about the ward, the shifts and the people there"] * 4) + "."
TEXT = "Interviewer: How has it been? 🌱\nPW:  Mostly good 😊, honestly.  \nPW: The team listens now.\n" + LONG + "\nPW: End.\n"
# (phrase searched in TEXT, code, coder): each quote is the phrase itself
PHRASES = [
    ("  Mostly good 😊, honestly.  ", "being_valued", "coder_a"),  # leading and trailing spaces, emoji
    (" honestly.  \n", "being_valued", "coder_b"),  # ends with a line end
    ("\nPW: The team", "team_belonging", "coder_a"),  # begins with a line end
    ("🌱\nPW:", "sharing_story", "coder_a"),  # emoji then line end
    (LONG, "sharing_story", "coder_b"),  # longer than the selection name
]
COLUMNS = ["segment_id", "interview_id", "start", "end", "code", "coder", "version", "timestamp", "quote"]


def canonical(codings: pd.DataFrame) -> pd.DataFrame:
    out = codings[COLUMNS].sort_values(["interview_id", "start", "end", "segment_id", "code", "coder"], kind="stable").reset_index(drop=True)
    return out.astype({"start": "int64", "end": "int64"})


@pytest.fixture
def hard_study(mini_study_dir):
    (mini_study_dir / "transcripts" / f"{IID}.txt").write_bytes(("\ufeff" + TEXT.replace("\n", "\r\n")).encode("utf-8"))
    path = mini_study_dir / "qual" / "codings.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows = [rows[0] + ["quote"]] + [r + [""] for r in rows[1:]]
    for k, (phrase, code, coder) in enumerate(PHRASES):
        start = TEXT.index(phrase)
        rows.append([f"hard{k}", IID, str(start), str(start + len(phrase)), code, coder, "2", "2020-07-01T09:00:00", phrase])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return mini_study_dir


def test_hard_quotes_survive_the_loader(hard_study):
    codings = qual_data(peerimpact.load_study(hard_study)).codings.set_index("segment_id")
    assert [codings.loc[f"hard{k}", "quote"] for k in range(len(PHRASES))] == [p for p, _, _ in PHRASES]
    assert len(LONG) > NAME_LIMIT


def test_export_import_round_trip_with_hard_quotes(hard_study, tmp_path):
    study = peerimpact.load_study(hard_study)
    path = export_qdpx(study, tmp_path / "p.qdpx")
    result = import_qdpx(path, study.definition.interview_id_pattern)
    data = qual_data(study)
    assert result.report.items == []
    assert result.codebook == data.codebook
    pd.testing.assert_frame_equal(canonical(result.codings), canonical(data.codings))
    assert result.transcripts[IID] == TEXT


@pytest.mark.parametrize("mode", ["replace", "merge"])
def test_round_trip_into_an_empty_study(hard_study, tmp_path, mode):
    study = peerimpact.load_study(hard_study)
    path = export_qdpx(study, tmp_path / "p.qdpx")
    target = tmp_path / "target"
    shutil.copytree(hard_study, target)
    for rel in ("qual/codebook.yaml", "qual/codings.csv", "qual/memos.yaml", f"transcripts/{IID}.txt"):
        (target / rel).unlink()
    import_qdpx_into(path, target, mode=mode)
    again = peerimpact.load_study(target)  # validate passes, synthesis file included
    before, after = qual_data(study), qual_data(again)
    assert after.codebook == before.codebook and after.memos == before.memos
    pd.testing.assert_frame_equal(canonical(after.codings), canonical(before.codings))
    assert again.transcripts[IID].text == TEXT
    assert (target / "transcripts" / f"{IID}.txt").read_bytes().decode("utf-8") == TEXT


def test_reimport_merges_nothing_twice_and_replace_backs_up(hard_study, tmp_path):
    study = peerimpact.load_study(hard_study)
    path = export_qdpx(study, tmp_path / "p.qdpx")
    before = canonical(qual_data(study).codings)
    summary = import_qdpx_into(path, hard_study)  # merge into the study it came from
    assert summary.note.startswith("merged: 0 code(s) added to the codebook, 0 coding(s) added")
    pd.testing.assert_frame_equal(canonical(qual_data(peerimpact.load_study(hard_study)).codings), before)
    old = (hard_study / "qual" / "codings.csv").read_bytes()
    summary = import_qdpx_into(path, hard_study, mode="replace")
    assert (summary.backup / "qual" / "codings.csv").read_bytes() == old


def test_demo_study_validates_after_import_synthesis_included(demo_study, demo_study_dir, tmp_path):
    target = tmp_path / "demo"
    shutil.copytree(demo_study_dir, target)
    assert list(target.glob("synthesis*"))  # the demo study has a synthesis file whose references must still resolve
    path = export_qdpx(demo_study, tmp_path / "demo.qdpx")
    for mode in ("merge", "replace"):
        import_qdpx_into(path, target, mode=mode)
        again = peerimpact.load_study(target)
        pd.testing.assert_frame_equal(canonical(qual_data(again).codings), canonical(qual_data(demo_study).codings))


# (segment_id, code, coder) -> origin, model_version, and the study's own column `checked_by` ("" = empty cell)
OPTIONAL = {
    ("seg01", "being_valued", "coder_a"): ("suggested", "tfidf-2024.1", "coder_b"),
    ("seg01", "being_valued", "coder_b"): ("human", "", ""),
    ("seg01", "team_belonging", "coder_b"): ("", "", "coder_a, 2020-07-01"),
}


@pytest.fixture
def optional_study(mini_study_dir):
    path = mini_study_dir / "qual" / "codings.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = [rows[0] + ["origin", "model_version", "checked_by"]]
    for r in rows[1:]:
        out.append(r + list(OPTIONAL.get((r[0], r[4], r[5]), ("", "", ""))))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(out)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return mini_study_dir


def _optional_cells(study) -> dict:
    raw = study.codings.fillna("")
    return {(r["segment_id"], r["code"], r["coder"]): (r["origin"], r["model_version"], r["checked_by"]) for r in raw.to_dict("records")}


@pytest.mark.parametrize("mode", ["replace", "merge"])
def test_origin_model_version_and_own_columns_round_trip(optional_study, tmp_path, mode):
    # Before: export-qdpx dropped origin, model_version and the study's own columns of qual/codings.csv without a word.
    import zipfile

    from lxml import etree

    from qual_helpers import REFI

    study = peerimpact.load_study(optional_study)
    path = export_qdpx(study, tmp_path / "p.qdpx")
    with zipfile.ZipFile(path) as zf:
        schema = etree.XMLSchema(etree.parse(str(REFI / "xsd" / "Project.xsd")))
        assert schema.validate(etree.fromstring(zf.read("project.qde"))), schema.error_log
    assert import_qdpx(path, study.definition.interview_id_pattern).report.items == []
    target = tmp_path / "target"
    shutil.copytree(optional_study, target)
    for rel in ("qual/codebook.yaml", "qual/codings.csv", "qual/memos.yaml"):
        (target / rel).unlink()
    import_qdpx_into(path, target, mode=mode)
    again = peerimpact.load_study(target)
    keys = list(zip(study.codings["segment_id"], study.codings["code"], study.codings["coder"]))
    assert len(keys) == 22
    assert _optional_cells(again) == {k: ("human", "", "") for k in keys} | {  # an empty origin is written as the human it means
        ("seg01", "being_valued", "coder_a"): ("suggested", "tfidf-2024.1", "coder_b"),
        ("seg01", "team_belonging", "coder_b"): ("human", "", "coder_a, 2020-07-01"),
    }
    assert list(again.codings.columns)[-3:] == ["origin", "model_version", "checked_by"]
    before, after = qual_data(study).codings, qual_data(again).codings
    cols = ["segment_id", "code", "coder", "origin", "model_version"]
    pd.testing.assert_frame_equal(after[cols].sort_values(cols[:3]).reset_index(drop=True), before[cols].sort_values(cols[:3]).reset_index(drop=True))


@pytest.fixture
def control_study(mini_study_dir):
    """Text XML 1.0 cannot hold (C0 controls, U+FFFE/U+FFFF) in a code name and description, a theme, a codebook
    version's reason, a memo and its author, and a transcript under a coding (the YAML files escape them)."""
    from peerimpact.qual.codebook import dump_codebook
    from peerimpact.qual.memos import dump_memos

    data = qual_data(peerimpact.load_study(mini_study_dir))
    book = data.codebook
    codes = [c.model_copy(update={"name": "Drawing on lived experience\x0b", "description": "A\x01B\n\nInclusion: not a note"})
             if c.id == "lived_experience" else c for c in book.codes]
    codes = [c.model_copy(update={"description": "Told\n\nExclusion: never"}) if c.id == "sharing_story" else c for c in codes]
    themes = [t.model_copy(update={"name": "Feeling connected\x1f", "description": "T\ufffe"}) if t.id == "feeling_connected" else t
              for t in book.themes]
    versions = [v.model_copy(update={"reason": v.reason + "\uffff"}) for v in book.versions]
    (mini_study_dir / "qual" / "codebook.yaml").write_text(
        dump_codebook(book.model_copy(update={"codes": codes, "themes": themes, "versions": versions})), encoding="utf-8")
    memos = [m.model_copy(update={"text": m.text + "\x0c\x00", "author": "Sam\x07"}) if m.id == "M01" else m for m in data.memos.memos]
    (mini_study_dir / "qual" / "memos.yaml").write_text(dump_memos(data.memos.model_copy(update={"memos": memos})), encoding="utf-8")
    t = mini_study_dir / "transcripts" / "S1-PW01-T1.txt"
    text = t.read_text(encoding="utf-8")
    t.write_text(text[:60] + "\x0c" + text[61:], encoding="utf-8")  # inside seg01 [58, 99), in place of a space
    return mini_study_dir


def test_text_xml_cannot_hold_round_trips_through_the_metadata_note(control_study, tmp_path):
    # Before: each such character was written as U+FFFD and came back so, without a word.
    import zipfile

    from lxml import etree

    from qual_helpers import REFI

    study = peerimpact.load_study(control_study)
    data = qual_data(study)
    assert data.codebook.code("lived_experience").name == "Drawing on lived experience\x0b"
    path = export_qdpx(study, tmp_path / "p.qdpx")
    with zipfile.ZipFile(path) as zf:
        qde = zf.read("project.qde")
        members = {n: zf.read(n) for n in zf.namelist()}
    schema = etree.XMLSchema(etree.parse(str(REFI / "xsd" / "Project.xsd")))
    assert schema.validate(etree.fromstring(qde)), schema.error_log
    result = import_qdpx(path, study.definition.interview_id_pattern)
    assert result.report.items == []
    assert result.codebook == data.codebook and result.memos == data.memos
    pd.testing.assert_frame_equal(canonical(result.codings), canonical(data.codings))
    code = result.codebook.code("lived_experience")
    assert (code.name, code.description, code.inclusion) == ("Drawing on lived experience\x0b", "A\x01B\n\nInclusion: not a note",
                                                             "Sharing or holding back one's story.")
    assert [m.text[-2:] for m in result.memos.memos if m.id == "M01"] == ["\x0c\x00"]
    story = result.codebook.code("sharing_story")
    assert (story.description, story.exclusion) == ("Told\n\nExclusion: never", "")  # not read as an exclusion note
    assert result.codebook.versions[-1].reason.endswith("\uffff")
    assert "I\x0cfelt valued" in result.codings.loc[result.codings["segment_id"] == "seg01", "quote"].iloc[0]
    # a name edited in another tool since (no longer what the export wrote) is the other tool's
    edited = qde.replace("Drawing on lived experience\ufffd".encode("utf-8"), b"Lived experience (edited)")
    assert edited != qde
    with zipfile.ZipFile(tmp_path / "edited.qdpx", "w") as zf:
        for name, payload in (members | {"project.qde": edited}).items():
            zf.writestr(name, payload)
    again = import_qdpx(tmp_path / "edited.qdpx", study.definition.interview_id_pattern)
    assert again.codebook.code("lived_experience").name == "Lived experience (edited)"


def test_qdc_export_names_what_it_cannot_carry(control_study, tmp_path):
    from typer.testing import CliRunner

    from peerimpact.cli.qual import app

    out = tmp_path / "c.qdc"
    run = CliRunner().invoke(app, ["export-qdc", str(control_study), "--out", str(out)])
    assert run.exit_code == 2 and not out.exists()
    lines = [line for line in run.stderr.splitlines() if line.startswith("qual/codebook.yaml")]
    assert lines == [
        "qual/codebook.yaml: 5 item(s) would be lost in the .qdc; nothing written (re-run with --accept-loss to write it anyway, or export a .qdpx)",
        "qual/codebook.yaml:codes.lived_experience.description: holds U+0001 at 1, which XML 1.0 cannot hold; the .qdc would have U+FFFD there (a .qdpx carries it)",
        "qual/codebook.yaml:codes.lived_experience.name: holds U+000B at 27, which XML 1.0 cannot hold; the .qdc would have U+FFFD there (a .qdpx carries it)",
        "qual/codebook.yaml:codes.sharing_story.description: holds a paragraph beginning 'Inclusion: ' or 'Exclusion: ', which a .qdc "
        "cannot tell from the inclusion or exclusion note (a .qdpx carries it)",
        "qual/codebook.yaml:themes.feeling_connected.description: holds U+FFFE at 1, which XML 1.0 cannot hold; the .qdc would have U+FFFD there (a .qdpx carries it)",
        "qual/codebook.yaml:themes.feeling_connected.name: holds U+001F at 17, which XML 1.0 cannot hold; the .qdc would have U+FFFD there (a .qdpx carries it)",
    ]
    run = CliRunner().invoke(app, ["export-qdc", str(control_study), "--out", str(out), "--accept-loss"])
    assert run.exit_code == 0 and out.exists()
    assert run.stderr.count("warning: lost: qual/codebook.yaml:") == 5
