"""Labels: a timepoint's id and label are not both shown when they say the same thing."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from peerimpact.report.labels import Labels
from peerimpact.study.definition import StudyDefinition


def _labels(tp: str, label: str) -> Labels:
    d = StudyDefinition(title="t", sites=[{"id": "1", "name": "One"}], timepoints=[{"id": tp, "label": label, "month": 0}])
    return Labels(SimpleNamespace(definition=d, instruments={}))


@pytest.mark.parametrize(
    "tp,label,shown",
    [
        ("T1", "Start", "T1 (Start)"),
        ("baseline", "Baseline", "Baseline"),
        ("m6", "M6", "M6"),
        ("T2", "T2", "T2"),
        ("m6", "Month m6", "Month m6"),
        ("m6", "Six months", "m6 (Six months)"),
    ],
    ids=["different", "case-only", "upper", "same", "id-inside-label", "id-and-words"],
)
def test_timepoint_label_is_not_repeated(tp, label, shown):
    assert _labels(tp, label).timepoint(tp) == shown


@pytest.mark.parametrize("base,words", [("T1", "baseline (T1)"), ("baseline", "baseline"), ("Baseline_2024", "baseline")],
                         ids=["id", "baseline", "baseline-prefix"])
def test_attrition_titles_name_the_baseline_once(base, words):
    from peerimpact.report.tables_attrition import baseline_words

    d = StudyDefinition(title="t", sites=[{"id": "1", "name": "One"}], timepoints=[{"id": base, "label": "First", "month": 0}])
    assert baseline_words(SimpleNamespace(definition=d)) == words
