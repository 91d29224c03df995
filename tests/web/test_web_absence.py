"""Absence spells go through the web database without loss (import-study, export-study; issue 14 item 4)."""

from __future__ import annotations

import pandas as pd
import pytest

import peerimpact


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_spells_round_trip(demo_study_dir, demo_study, tmp_path):
    from peerimpact.web.absence.models import AbsenceSpell
    from peerimpact.web.services.study_export import export_study
    from peerimpact.web.services.study_import import import_study

    summary = import_study(demo_study_dir)
    n = len(demo_study.absence)
    assert n > 0 and summary.counts["absence spells"] == n == AbsenceSpell.objects.count()
    exported = peerimpact.load_study(export_study(tmp_path / "exported"))
    assert exported.definition.format == 2
    pd.testing.assert_frame_equal(exported.absence, demo_study.absence, obj="absence")
    pd.testing.assert_frame_equal(exported.employment, demo_study.employment, obj="employment")
    assert (tmp_path / "exported" / "absence.csv").read_text(encoding="utf-8") == (demo_study_dir / "absence.csv").read_text(encoding="utf-8")


@pytest.mark.django_db
def test_a_study_without_spells_says_nothing_about_them(tiny_study_dir):
    from peerimpact.web.services.study_import import import_study

    assert "absence spells" not in import_study(tiny_study_dir).counts
