"""Loading study-level instrument files, and the problems bad files produce."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from peerimpact.errors import Problem, StudyValidationError
from peerimpact.instruments import load_instruments, parse_instrument

HEADER = """\
id: scale
name: A scale
citation: Someone 2020
licence: free
"""

GOOD_BODY = """\
response_min: 1
response_max: 5
items: [1, 2, 3]
subscales:
  - id: total
    label: Total
    items: [1, 2, 3]
    method: sum
"""


def write(study: Path, name: str, text: str) -> Path:
    folder = study / "instruments"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(study: Path) -> list[Problem]:
    with pytest.raises(StudyValidationError) as info:
        load_instruments(study)
    return info.value.problems


def test_study_instrument_is_loaded_with_the_shipped_ones(tmp_path):
    write(tmp_path, "scale.yaml", HEADER + GOOD_BODY)
    loaded = load_instruments(tmp_path)
    assert "scale" in loaded and "wemwbs" in loaded
    assert loaded["scale"].item_columns() == ["scale_1", "scale_2", "scale_3"]
    assert loaded["scale"].score_range("total") == (3.0, 15.0)


def test_no_study_folder_gives_the_shipped_instruments(tmp_path):
    assert set(load_instruments(tmp_path)) == set(load_instruments(None))


def test_licensed_key_overrides_a_shipped_template(tmp_path):
    write(
        tmp_path,
        "mjs.yaml",
        """\
        id: mjs
        name: Measure of Job Satisfaction (licensed key)
        citation: Traynor and Wade 1993
        licence: licensed to this study
        response_min: 1
        response_max: 5
        items: [1, 2, 3, 4]
        subscales:
          - {id: personal, label: Personal, items: [1, 2], method: mean}
          - {id: workload, label: Workload, items: [3, 4], reverse: [4], method: mean}
        """,
    )
    mjs = load_instruments(tmp_path)["mjs"]
    assert mjs.has_item_key is True
    assert mjs.item_columns() == ["mjs_1", "mjs_2", "mjs_3", "mjs_4"]
    assert mjs.prescored_columns() == []
    assert load_instruments(None)["mjs"].has_item_key is False  # the shipped template is untouched


def test_parse_instrument_reads_one_file(tmp_path):
    path = write(tmp_path, "scale.yaml", HEADER + GOOD_BODY)
    assert parse_instrument(path, "instruments/scale.yaml").id == "scale"


F = "instruments/scale.yaml"

BAD_FILES = [
    pytest.param(
        HEADER + "response_min: [1\n",
        [Problem(F, 6, None, "is not valid YAML: expected ',' or ']', but got '<stream end>'")],
        id="yaml-syntax",
    ),
    pytest.param("- just\n- a list\n", [Problem(F, 1, None, "must be a mapping of keys (id, name, citation, ...)")], id="not-mapping"),
    pytest.param(
        HEADER + GOOD_BODY + "    wieght: 2\n",
        [Problem(F, 13, "subscales.0.wieght", "unknown key 'wieght'; allowed keys: " + ", ".join([
            "id", "label", "items", "reverse", "method", "lookup", "score_min", "score_max", "higher_is_better", "cutoffs", "meaningful_change"]))],
        id="unknown-key",
    ),
    pytest.param(
        HEADER + GOOD_BODY.replace("    method: sum\n", "    methd: sum\n"),
        [
            Problem(F, 9, "subscales.0.method", "required key is missing"),
            Problem(F, 12, "subscales.0.methd", "unknown key 'methd'; did you mean 'method'?"),
        ],
        id="misspelt-key",
    ),
    pytest.param(
        HEADER.replace("citation: Someone 2020\n", "") + GOOD_BODY,
        [Problem(F, 1, "citation", "required key is missing")],
        id="missing-citation",
    ),
    pytest.param(
        HEADER.replace("id: scale", "id: Scale-1") + GOOD_BODY,
        [Problem(F, 1, "id", "'Scale-1' is not a valid id (lower-case letters, digits and '_', starting with a letter)")],
        id="bad-id",
    ),
    pytest.param(
        HEADER.replace("id: scale", "id: other") + GOOD_BODY,
        [Problem(F, 1, "id", "id 'other' must match the file name (scale.yaml)")],
        id="id-not-file-name",
    ),
    pytest.param(
        HEADER + GOOD_BODY.replace("    items: [1, 2, 3]\n", "    items: [1, 2, 7]\n"),
        [Problem(F, 11, "subscales.0.items.2", "subscale 'total' uses item '7', which is not in the instrument's items")],
        id="unknown-item",
    ),
    pytest.param(
        HEADER + GOOD_BODY + "    reverse: [4]\n",
        [Problem(F, 13, "subscales.0.reverse.0", "reverse-scored item '4' is not one of subscale 'total''s items")],
        id="reverse-not-in-subscale",
    ),
    pytest.param(
        HEADER + GOOD_BODY.replace("method: sum", "method: median"),
        [Problem(F, 12, "subscales.0.method", "Input should be 'sum', 'mean' or 'lookup'")],
        id="bad-method",
    ),
    pytest.param(
        HEADER + GOOD_BODY + "    score_max: 20\n",
        [Problem(F, 13, "subscales.0.score_max", "score_max 20 does not match the sum of the items (15)")],
        id="score-range-mismatch",
    ),
    pytest.param(
        HEADER + GOOD_BODY.replace("method: sum", "method: lookup") + "    lookup: {3: 0, 4: 1, 5: 2}\n",
        [Problem(F, 13, "subscales.0.lookup", "lookup table has no entry for raw sum(s) 6, 7, 8, 9, 10, 11, 12, 13, 14, 15")],
        id="lookup-gap",
    ),
    pytest.param(
        HEADER + GOOD_BODY.replace("method: sum", "method: lookup"),
        [Problem(F, 9, "subscales.0.lookup", "method lookup needs a lookup table (raw sum -> score)")],
        id="lookup-without-table",
    ),
    pytest.param(
        HEADER + GOOD_BODY + "    cutoffs:\n      - {label: high, min: 16, source: me}\n",
        [Problem(F, 14, "subscales.0.cutoffs.0.min", "cut-off 'high' min 16 is outside the score range 3–15")],
        id="cutoff-outside-range",
    ),
    pytest.param(
        HEADER + GOOD_BODY + "    cutoffs:\n      - {label: high, min: 10, source: me}\n      - {label: mid, min: 6, source: me}\n",
        [Problem(F, 15, "subscales.0.cutoffs.1.min", "cut-offs must be listed in increasing order of min: 'mid' (6) follows 'high' (10)")],
        id="cutoffs-out-of-order",
    ),
    pytest.param(
        HEADER + GOOD_BODY + "    cutoffs:\n      - {label: high, min: 10}\n",
        [Problem(F, 14, "subscales.0.cutoffs.0.source", "required key is missing")],
        id="cutoff-without-source",
    ),
    pytest.param(
        HEADER + GOOD_BODY.replace("response_max: 5", "response_max: 1"),
        [Problem(F, 6, "response_max", "must be greater than response_min (1)")],
        id="empty-response-range",
    ),
    pytest.param(
        HEADER + "kind: service_use\nservices: []\n",
        [Problem(F, 6, "services", "a service_use instrument needs at least one service")],
        id="service-use-without-services",
    ),
    pytest.param(
        HEADER + "parent: nothing\n" + GOOD_BODY,
        [Problem(F, 5, "parent", "parent instrument 'nothing' is not defined")],
        id="unknown-parent",
    ),
    pytest.param(
        HEADER + "parent: wemwbs\n" + GOOD_BODY.replace("[1, 2, 3]\nsub", "[1, 2, 15]\nsub").replace("    items: [1, 2, 3]", "    items: [1, 2, 15]"),
        [Problem(F, 8, "items.2", "item '15' is not an item of parent 'wemwbs'")],
        id="item-not-in-parent",
    ),
    pytest.param(
        HEADER + "parent: wemwbs\n" + GOOD_BODY.replace("response_max: 5", "response_max: 7"),
        [Problem(F, 6, "response_min", "response range 1–7 differs from parent 'wemwbs' (1–5)")],
        id="parent-range",
    ),
]


@pytest.mark.parametrize("text, expected", BAD_FILES)
def test_bad_instrument_files(tmp_path, text, expected):
    write(tmp_path, "scale.yaml", text)
    assert problems_of(tmp_path) == expected


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    write(tmp_path, "aaa.yaml", HEADER.replace("id: scale", "id: aaa") + GOOD_BODY.replace("method: sum", "method: lookup"))
    write(tmp_path, "bbb.yaml", HEADER.replace("id: scale", "id: bbb") + GOOD_BODY + "    reverse: [9]\n    score_min: 0\n")
    assert problems_of(tmp_path) == [
        Problem("instruments/aaa.yaml", 9, "subscales.0.lookup", "method lookup needs a lookup table (raw sum -> score)"),
        Problem("instruments/bbb.yaml", 13, "subscales.0.reverse.0", "reverse-scored item '9' is not one of subscale 'total''s items"),
        Problem("instruments/bbb.yaml", 14, "subscales.0.score_min", "score_min 0 does not match the sum of the items (3)"),
    ]


def test_a_short_form_of_a_study_instrument(tmp_path):
    write(tmp_path, "scale.yaml", HEADER + GOOD_BODY)
    write(
        tmp_path,
        "short.yaml",
        HEADER.replace("id: scale", "id: short")
        + "parent: scale\n"
        + GOOD_BODY.replace("[1, 2, 3]", "[1, 3]"),
    )
    short = load_instruments(tmp_path)["short"]
    assert short.item_columns() == ["scale_1", "scale_3"]
