"""synthesis.yaml: parsing, and every dangling reference reported with file and line."""

from __future__ import annotations

import shutil

import pytest

from peerimpact.errors import Problem, StudyValidationError
from peerimpact.synthesis import load_synthesis
from synthesis_helpers import write_small_study

BASE = """\
propositions:
  - id: P1
    statement: Wellbeing dips.
    quantitative:
      - outcome: wemwbs.total
        comparison: [T1, T2]
        statistics: [mean_change, p]
    qualitative:
      themes: [feeling_valued]
      codes: [isolation]
      exemplars: [seg001]
    fit: confirms
    interpretation: It dips.
"""


def _with(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new)


def _load(tmp_path, text):
    import peerimpact

    root = write_small_study(tmp_path / "study", synthesis=text)
    return load_synthesis(peerimpact.load_study(root))


def test_valid_file_parses_every_field(tmp_path):
    syn = _load(tmp_path, BASE)
    (p,) = syn.propositions
    assert (p.id, p.statement, p.fit, p.interpretation, p.line) == ("P1", "Wellbeing dips.", "confirms", "It dips.", 2)
    (ev,) = p.quantitative
    assert (ev.outcome, ev.comparison, ev.timepoint, ev.statistics, ev.kind, ev.line) == (
        "wemwbs.total", ("T1", "T2"), None, ("mean_change", "p"), "comparison", 5)
    assert (p.qualitative.themes, p.qualitative.codes, p.qualitative.exemplars) == (("feeling_valued",), ("isolation",), ("seg001",))
    assert syn.warnings == ()


@pytest.mark.parametrize(
    "text, problems",
    [
        pytest.param(_with("outcome: wemwbs.total", "outcome: wemwbs.totl"),
                     [(5, "propositions.0.quantitative.0.outcome", "unknown outcome 'wemwbs.totl'; did you mean 'wemwbs.total'?")],
                     id="unknown-outcome-with-hint"),
        pytest.param(_with("outcome: wemwbs.total", "outcome: phq9.total"),
                     [(5, "propositions.0.quantitative.0.outcome", "unknown outcome 'phq9.total'")],
                     id="unknown-outcome"),
        pytest.param(_with("comparison: [T1, T2]", "timepoint: T9"),
                     [(6, "propositions.0.quantitative.0.timepoint", "unknown timepoint 'T9'; declared: T1, T2, T3"),
                      (7, "propositions.0.quantitative.0.statistics.0", "statistic 'mean_change' is not available for a timepoint; choose from n, mean, sd, min, max, norm"),
                      (7, "propositions.0.quantitative.0.statistics.1", "statistic 'p' is not available for a timepoint; choose from n, mean, sd, min, max, norm")],
                     id="unknown-timepoint-and-stats"),
        pytest.param(_with("comparison: [T1, T2]", "comparison: [T2, T3]"),
                     [(6, "propositions.0.quantitative.0.comparison", "comparison [T2, T3] is not one of the study's comparisons ([T1, T2], [T1, T3])")],
                     id="undeclared-comparison"),
        pytest.param(_with("comparison: [T1, T2]", "comparison: [T1]"),
                     [(6, "propositions.0.quantitative.0.comparison", "comparison must be a pair [from, to] of timepoint ids")],
                     id="comparison-not-a-pair"),
        pytest.param(_with("comparison: [T1, T2]", "comparison: [T1, T2]\n        timepoint: T1"),
                     [(5, "propositions.0.quantitative.0", "proposition P1: a quantitative entry needs exactly one of 'timepoint' or 'comparison'")],
                     id="both-timepoint-and-comparison"),
        pytest.param(_with("statistics: [mean_change, p]", "statistics: [mean_change, cohen_d]"),
                     [(7, "propositions.0.quantitative.0.statistics.1",
                       "statistic 'cohen_d' is not available for a comparison; "
                       "choose from n, mean, mean_change, ci, t, p, p_holm, wilcoxon_p, effect_size")],
                     id="unknown-statistic"),
        pytest.param(_with("themes: [feeling_valued]", "themes: [feeling_value]"),
                     [(9, "propositions.0.qualitative.themes.0", "unknown theme 'feeling_value'; did you mean 'feeling_valued'?")],
                     id="unknown-theme"),
        pytest.param(_with("codes: [isolation]", "codes: [loneliness]"),
                     [(10, "propositions.0.qualitative.codes.0", "unknown code 'loneliness'")],
                     id="unknown-code"),
        pytest.param(_with("exemplars: [seg001]", "exemplars: [seg001, seg999]"),
                     [(11, "propositions.0.qualitative.exemplars.1", "unknown exemplar segment 'seg999': no such segment_id in qual/codings.csv")],
                     id="unknown-exemplar"),
        pytest.param(_with("fit: confirms", "fit: agrees"),
                     [(12, "propositions.0.fit", "proposition P1: fit must be one of confirms, expands, discordant, silent (found 'agrees')")],
                     id="bad-fit"),
        pytest.param(_with("    interpretation: It dips.\n", "    interpretation: It dips.\n    weight: 2\n"),
                     [(14, "propositions.0.weight", "unknown key 'weight' in a proposition")],
                     id="unknown-key"),
        pytest.param(_with("      themes: [feeling_valued]", "      theme: [feeling_valued]"),
                     [(9, "propositions.0.qualitative.theme", "unknown key 'theme' in the qualitative evidence; did you mean 'themes'?")],
                     id="unknown-key-with-hint"),
        pytest.param(_with("    statement: Wellbeing dips.\n", ""),
                     [(2, "propositions.0", "proposition P1 needs a non-empty 'statement'")],
                     id="missing-statement"),
        pytest.param(BASE + BASE.replace("propositions:\n", ""),
                     [(14, "propositions.1.id", "proposition id 'P1' is used twice (first at proposition 1)")],
                     id="duplicate-id"),
        pytest.param("propositions: []\n",
                     [(1, "propositions", "'propositions' must be a non-empty list")],
                     id="empty"),
    ],
)
def test_dangling_references_name_file_and_line(tmp_path, text, problems):
    with pytest.raises(StudyValidationError) as exc:
        _load(tmp_path, text)
    expected = sorted(Problem("synthesis.yaml", line, column, message) for line, column, message in problems)
    assert exc.value.problems == expected


def test_every_problem_is_reported_at_once(tmp_path):
    text = _with("outcome: wemwbs.total", "outcome: nope").replace("fit: confirms", "fit: maybe")
    with pytest.raises(StudyValidationError) as exc:
        _load(tmp_path, text)
    assert [p.row for p in exc.value.problems] == [5, 12]


def test_exemplar_outside_the_propositions_themes_is_a_warning(tmp_path):
    # seg005 is coded 'isolation' (feeling_connected), not under feeling_valued
    text = _with("      codes: [isolation]\n", "").replace("exemplars: [seg001]", "exemplars: [seg005]")
    syn = _load(tmp_path, text)
    assert syn.warnings == ("proposition P1: exemplar seg005 is not coded under any of the proposition's themes or codes",)


def test_defaults_for_statistics(tmp_path):
    text = _with("        statistics: [mean_change, p]\n", "")
    syn = _load(tmp_path, text)
    assert syn.propositions[0].quantitative[0].statistics == ("mean_change", "ci", "p", "effect_size")
    text = _with("        comparison: [T1, T2]\n        statistics: [mean_change, p]\n", "        timepoint: T2\n")
    assert _load(tmp_path / "b", text).propositions[0].quantitative[0].statistics == ("n", "mean", "sd")


def test_no_synthesis_file_gives_none(tmp_path):
    import peerimpact

    root = write_small_study(tmp_path / "study", synthesis=None)
    assert load_synthesis(peerimpact.load_study(root)) is None


def test_in_memory_synthesis_is_validated_without_lines(small_study_dir, tmp_path):
    """A study whose folder lacks the file (e.g. from the web app) is still validated, lines unknown."""
    import dataclasses

    import peerimpact

    copy = tmp_path / "copy"
    shutil.copytree(small_study_dir, copy)
    study = peerimpact.load_study(copy)
    (copy / "synthesis.yaml").unlink()
    raw = {"propositions": [{"id": "P1", "statement": "s", "fit": "confirms", "qualitative": {"themes": ["nope"]}}]}
    with pytest.raises(StudyValidationError) as exc:
        load_synthesis(dataclasses.replace(study, synthesis=raw))
    assert exc.value.problems == [Problem("synthesis.yaml", None, "propositions.0.qualitative.themes.0", "unknown theme 'nope'")]


def test_a_proposition_without_evidence_is_an_error(tmp_path):
    text = "propositions:\n  - id: P9\n    statement: Nothing cited.\n    fit: silent\n"
    with pytest.raises(StudyValidationError) as exc:
        _load(tmp_path, text)
    assert exc.value.problems == [Problem("synthesis.yaml", 2, "propositions.0", "proposition P9 cites no quantitative or qualitative evidence")]
