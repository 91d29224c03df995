"""The codebook model: parsing, hierarchy, themes, problems with lines, YAML round trip."""

from __future__ import annotations

import pytest
import yaml

from peerimpact.errors import StudyValidationError
from peerimpact.qual import Codebook, dump_codebook, parse_codebook
from peerimpact.qual.guids import normalise_guid, stable_guid
from peerimpact.study.yamlio import load_yaml_with_lines

BASE = """\
version: 2
codes:
  - id: a
    name: A
    parent: null
  - id: b
    name: B
    parent: a
  - id: c
    name: C
themes:
  - id: t
    name: T
    valence: positive
    codes: [a, c]
versions:
  - version: 1
    reason: first
    changes:
      - {action: added, code: a}
      - {action: added, code: b}
      - {action: added, code: old}
  - version: 2
    reason: second
    changes:
      - {action: merged, codes: [old, b], into: b}
      - {action: added, code: c}
"""


def parse_text(tmp_path, text: str) -> Codebook:
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    raw, lines = load_yaml_with_lines(path, "qual/codebook.yaml")
    return parse_codebook(raw, lines)


def test_base_parses_with_hierarchy_and_themes(tmp_path):
    book = parse_text(tmp_path, BASE)
    assert book.code_ids == ["a", "b", "c"]
    assert [c.id for c in book.children(None)] == ["a", "c"]
    assert book.descendants("a") == ["a", "b"]
    assert book.theme_codes("t") == ["a", "b", "c"]  # a theme gathers sub-codes too
    assert book.themes_of("b") == ["t"]
    assert book.version == 2 and book.version_numbers == [1, 2]


def test_guids_are_uuid5_of_the_id_unless_given(tmp_path):
    book = parse_text(tmp_path, BASE.replace("  - id: c\n", "  - id: c\n    guid: '{7496BA52-9C8D-4396-8FAB-CC438614E453}'\n"))
    assert book.code("a").guid == stable_guid("code", "a")
    assert book.code("c").guid == "7496ba52-9c8d-4396-8fab-cc438614e453"
    assert book.theme("t").guid == stable_guid("theme", "t")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("7496BA52-9C8D-4396-8FAB-CC438614E453", "7496ba52-9c8d-4396-8fab-cc438614e453"),
        ("{7496ba52-9c8d-4396-8fab-cc438614e453}", "7496ba52-9c8d-4396-8fab-cc438614e453"),
        ("{7496ba52-9c8d-4396-8fab-cc438614e453", None),
        ("7496ba52-9c8d-4396-8fab-cc438614e45", None),
        ("not-a-guid", None),
        (42, None),
    ],
    ids=["upper", "braces", "half-brace", "short", "text", "number"],
)
def test_normalise_guid(value, expected):
    assert normalise_guid(value) == expected


GUID_A = "2b0b0a82-9fa0-5c4f-9bb9-1e2e8c14b9e5"  # placeholder for uuid5 of code 'a'
CASES = [
    ("duplicate-id", [("  - id: c\n", "  - id: a\n")],
     ["qual/codebook.yaml:9:codes.2.id: duplicate code id 'a' (also codes.0)",
      "qual/codebook.yaml:15:themes.0.codes.1: theme 't' names unknown code 'c'"]),
    ("guid-reused", [("    name: C\n", "    name: C\n    guid: 2b0b0a82-9fa0-5c4f-9bb9-1e2e8c14b9e5\n")],
     ["qual/codebook.yaml:11:codes.2.guid: GUID 2b0b0a82-9fa0-5c4f-9bb9-1e2e8c14b9e5 is also used by code 'a'"]),
    ("unknown-parent", [("    parent: a\n", "    parent: zzz\n")],
     ["qual/codebook.yaml:8:codes.1.parent: parent 'zzz' is not a code id"]),
    ("parent-cycle", [("    parent: null\n", "    parent: b\n")],
     ["qual/codebook.yaml:5:codes.0.parent: code 'a' is its own ancestor (parent cycle)",
      "qual/codebook.yaml:8:codes.1.parent: code 'b' is its own ancestor (parent cycle)"]),
    ("theme-unknown-code", [("codes: [a, c]", "codes: [a, x]")],
     ["qual/codebook.yaml:15:themes.0.codes.1: theme 't' names unknown code 'x'"]),
    ("bad-colour", [("    name: C\n", "    name: C\n    colour: red\n")],
     ["qual/codebook.yaml:11:codes.2.colour: colour 'red' must look like #1b9e77"]),
    ("bad-guid", [("    name: C\n", "    name: C\n    guid: 1234\n")],
     ["qual/codebook.yaml:11:codes.2.guid: 1234 is not a valid GUID (expected 8-4-4-4-12 hexadecimal digits)"]),
    ("misspelt-key", [("    name: C\n", "    name: C\n    color: '#ffffff'\n")],
     ["qual/codebook.yaml:11:codes.2.color: unknown key 'color'; did you mean 'colour'?"]),
    ("bad-valence", [("valence: positive", "valence: mixed")],
     ["qual/codebook.yaml:14:themes.0.valence: Input should be 'positive', 'negative' or 'complex'"]),
    ("version-not-last", [("version: 2\ncodes", "version: 3\ncodes")],
     ["qual/codebook.yaml:1:version: current version 3 is not the last version listed (2)"]),
    ("versions-out-of-order", [("  - version: 2\n", "  - version: 1\n"), ("version: 2\ncodes", "version: 1\ncodes")],
     ["qual/codebook.yaml:23:versions.1.version: version 1 must be greater than the one before it (1)"]),
    ("merge-of-missing-code", [("codes: [old, b]", "codes: [gone, b]")],
     ["qual/codebook.yaml:26:versions.1.changes.0: merged code 'gone' does not exist at this version",
      "qual/codebook.yaml:16:versions: the version history leaves code 'old' in force but it is not listed under codes"]),
    ("listed-but-never-added", [("      - {action: added, code: c}\n", "")],
     ["qual/codebook.yaml:9:codes.2.id: code 'c' is listed but the version history does not leave it in force (add it with {action: added} or remove it)"]),
    ("split-needs-two", [("      - {action: added, code: c}\n", "      - {action: added, code: c}\n      - {action: split, code: c, into: [a]}\n")],
     ["qual/codebook.yaml:28:versions.1.changes.2: a 'split' change needs 'into' (a list of two or more code ids)"]),
    ("added-twice", [("      - {action: added, code: c}\n", "      - {action: added, code: c}\n      - {action: added, code: a}\n")],
     ["qual/codebook.yaml:28:versions.1.changes.2: code 'a' is added but already exists"]),
]


@pytest.mark.parametrize("edits, expected", [(e, x) for _, e, x in CASES], ids=[c[0] for c in CASES])
def test_problems_name_file_line_and_key(tmp_path, edits, expected):
    text = BASE.replace(GUID_A, stable_guid("code", "a"))
    edits = [(old, new.replace(GUID_A, stable_guid("code", "a"))) for old, new in edits]
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    with pytest.raises(StudyValidationError) as err:
        parse_text(tmp_path, text)
    got = sorted(str(p) for p in err.value.problems)
    assert got == sorted(e.replace(GUID_A, stable_guid("code", "a")) for e in expected)


def test_not_a_mapping():
    with pytest.raises(StudyValidationError) as err:
        parse_codebook(["a"])
    assert [str(p) for p in err.value.problems] == [
        "qual/codebook.yaml: must be a mapping with 'codes' (and optionally 'version', 'themes', 'versions')"
    ]


def test_dump_parse_round_trip(mini_study):
    from peerimpact.qual import qual_data

    book = qual_data(mini_study).codebook
    again = parse_codebook(yaml.safe_load(dump_codebook(book)))
    assert again == book
    assert "guid" not in dump_codebook(book)  # derived GUIDs are not written out


def test_dump_keeps_explicit_guids(tmp_path):
    book = parse_text(tmp_path, BASE.replace("  - id: c\n", "  - id: c\n    guid: 7496ba52-9c8d-4396-8fab-cc438614e453\n"))
    text = dump_codebook(book)
    assert "guid: 7496ba52-9c8d-4396-8fab-cc438614e453" in text
    assert parse_codebook(yaml.safe_load(text)) == book
