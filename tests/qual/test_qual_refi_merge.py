"""Merging imported codebooks into a study's (``--mode merge``): nothing the import brings is dropped."""

from __future__ import annotations

import pytest

import peerimpact
from peerimpact.qual.refi import import_qdc_into

PAY, HOURS, SET = (f"11111111-2222-4333-8444-5555555555{k}" for k in ("01", "02", "10"))
QDC = (
    '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 24"><Codes>'
    f'<Code guid="{PAY}" name="Pay" isCodable="true"/><Code guid="{HOURS}" name="Hours" isCodable="true"/></Codes>'
    f'<Sets><Set guid="{SET}" name="Feeling valued"><MemberCode guid="{PAY}"/><MemberCode guid="{HOURS}"/></Set></Sets></CodeBook>'
)


def themes(study_dir):
    return {t["id"]: (t["name"], t["codes"]) for t in peerimpact.load_study(study_dir).codebook["themes"]}


def test_a_set_whose_id_the_study_already_uses_is_kept_under_a_new_id(mini_study_dir, tmp_path):
    # The study has a theme 'feeling_valued' gathering being_valued; the imported set of the same name gathers pay and hours.
    path = tmp_path / "book.qdc"
    path.write_text(QDC, encoding="utf-8")
    before = themes(mini_study_dir)
    import_qdc_into(path, mini_study_dir)
    after = themes(mini_study_dir)
    assert after["feeling_valued"] == before["feeling_valued"] == ("Feeling valued", ["being_valued"])
    assert after["feeling_valued_imported"] == ("Feeling valued", ["pay", "hours"])
    import_qdc_into(path, mini_study_dir)  # the same set again (same GUID): not added twice
    assert themes(mini_study_dir) == after


def _copy_with(study_dir, tmp_path, codings_edit, memo_text: str):
    """Another copy of the study (another coder's) with its codings edited and memo M04 (on seg05) rewritten."""
    import shutil

    other = tmp_path / "other"
    shutil.copytree(study_dir, other)
    path = other / "qual" / "codings.csv"
    path.write_text(codings_edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    memos = other / "qual" / "memos.yaml"
    memos.write_text(memos.read_text(encoding="utf-8").replace("A candidate exemplar for tokenism.", memo_text), encoding="utf-8")
    return other


def _memo_targets(study_dir):
    return {m["text"]: (m["target"]["type"], m["target"]["id"]) for m in peerimpact.load_study(study_dir).memos["memos"]}


def _shorter_seg05(text: str) -> str:
    lines = [ln for ln in text.splitlines() if not ln.startswith("seg05,S1-PW01-T1,231,287,tokenism,coder_b")]
    return "\n".join(ln.replace("seg05,S1-PW01-T1,231,287,tokenism,coder_a", "seg05,S1-PW01-T1,240,287,tokenism,coder_c") for ln in lines) + "\n"


def _seg05_renamed(text: str) -> str:
    return text.replace("seg05,", "segX,")


@pytest.mark.parametrize(
    ("edit", "want"),
    [
        # Before: the imported seg05 (another span) became seg05_imported, but its memo stayed on the study's seg05.
        pytest.param(_shorter_seg05, ("segment", "seg05_imported"), id="clashing-segment-id"),
        # Before: the imported segX duplicated the study's seg05 and was not added, so its memo pointed at nothing and the import failed validation.
        pytest.param(_seg05_renamed, ("segment", "seg05"), id="duplicate-segment"),
    ],
)
def test_imported_memos_follow_their_segments(mini_study_dir, tmp_path, edit, want):
    from peerimpact.qual import export_qdpx
    from peerimpact.qual.refi import import_qdpx_into

    other = _copy_with(mini_study_dir, tmp_path, edit, "The other coder's note on this span.")
    if edit is _seg05_renamed:
        memos = other / "qual" / "memos.yaml"
        memos.write_text(memos.read_text(encoding="utf-8").replace("id: seg05}", "id: segX}"), encoding="utf-8")
    path = export_qdpx(peerimpact.load_study(other), tmp_path / "other.qdpx")
    import_qdpx_into(path, mini_study_dir)
    targets = _memo_targets(mini_study_dir)  # the study validates
    assert targets["A candidate exemplar for tokenism."] == ("segment", "seg05")
    assert targets["The other coder's note on this span."] == want


def test_a_code_matched_by_id_not_guid_is_said(mini_study_dir, tmp_path):
    # Before: another tool's code "Supervision" silently became the study's code 'supervision' (same slug, another GUID).
    import zipfile

    from peerimpact.qual.refi import import_qdpx_into

    qde = ('<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="n" origin="ATLAS.ti for Windows 23.2.0">'
           f'<CodeBook><Codes><Code guid="{PAY}" name="Supervision" isCodable="true"/></Codes></CodeBook></Project>')
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
    summary = import_qdpx_into(path, mini_study_dir)
    assert [i.detail for i in summary.report.items if i.element == "Code"] == [
        "code 'Supervision' matched the study's code 'supervision' ('Supervision') by its id, not its GUID; its codings and memos use the study's code and definition"]


def test_a_qdc_code_matched_by_id_not_guid_is_said(mini_study_dir, tmp_path):
    path = tmp_path / "book.qdc"
    path.write_text(QDC.replace('name="Pay"', 'name="Supervision"'), encoding="utf-8")
    summary = import_qdc_into(path, mini_study_dir)
    assert [i.detail for i in summary.report.items] == [
        "code 'Supervision' matched the study's code 'supervision' ('Supervision') by its id, not its GUID; its codings and memos use the study's code and definition"]


def test_a_code_changed_in_another_tool_is_said_when_merge_keeps_the_study_definition(mini_study_dir, tmp_path):
    # Before: renaming a code in NVivo and importing the project back with the default merge kept the old name without a word.
    import zipfile

    from peerimpact.qual import export_qdpx
    from peerimpact.qual.refi import import_qdpx_into

    path = export_qdpx(peerimpact.load_study(mini_study_dir), tmp_path / "p.qdpx")
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    entries["project.qde"] = entries["project.qde"].replace(b'name="Being valued by the team"', b'name="Valued by the team"', 1)
    edited = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(edited, "w") as zf:
        for n, d in entries.items():
            zf.writestr(n, d)
    assert import_qdpx_into(path, mini_study_dir).report.items == []  # unchanged: nothing to say
    summary = import_qdpx_into(edited, mini_study_dir)
    assert [(i.kind, i.detail) for i in summary.report.items] == [(
        "kept", "code 'being_valued' differs in the project: name 'Valued by the team' (study: 'Being valued by the team'); "
                "merge keeps the study's definition (--mode replace takes the project's)")]
    assert summary.report.lost == []
    assert peerimpact.load_study(mini_study_dir).codebook["codes"][2]["name"] == "Being valued by the team"


def test_a_set_changed_in_another_tool_is_said(mini_study_dir, tmp_path):
    import zipfile

    from peerimpact.qual import export_qdpx
    from peerimpact.qual.guids import stable_guid
    from peerimpact.qual.refi import import_qdpx_into

    path = export_qdpx(peerimpact.load_study(mini_study_dir), tmp_path / "p.qdpx")
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    member = f'<MemberCode targetGUID="{stable_guid("code", "being_valued")}"/>'.encode()
    extra = f'<MemberCode targetGUID="{stable_guid("code", "tokenism")}"/>'.encode()
    assert entries["project.qde"].count(member) == 1
    entries["project.qde"] = entries["project.qde"].replace(member, member + extra)
    edited = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(edited, "w") as zf:
        for n, d in entries.items():
            zf.writestr(n, d)
    summary = import_qdpx_into(edited, mini_study_dir)
    assert [(i.kind, i.detail) for i in summary.report.items] == [(
        "kept", "theme 'feeling_valued' differs in the project: codes ['being_valued', 'tokenism'] (study: ['being_valued']); "
                "merge keeps the study's definition (--mode replace takes the project's)")]
