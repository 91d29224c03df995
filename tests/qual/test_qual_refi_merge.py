"""Merging imported codebooks into a study's (``--mode merge``): nothing the import brings is dropped."""

from __future__ import annotations

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
