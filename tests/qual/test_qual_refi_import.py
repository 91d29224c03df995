"""REFI-QDA import of projects written by hand to imitate other tools (tests/fixtures/qual/make_fixtures.py)."""

from __future__ import annotations

import json
import zipfile

import pytest

from peerimpact.errors import StudyValidationError, UserInputError
from peerimpact.qual import import_qdpx


def expected(refi_dir, name):
    return json.loads((refi_dir / f"{name}.expected.json").read_text(encoding="utf-8"))


def imported_codings(result):
    names = {c.id: c.name for c in result.codebook.codes}
    out = []
    for rec in result.codings.to_dict("records"):
        text = result.transcripts[rec["interview_id"]]
        out.append({"interview_id": rec["interview_id"], "code": names[rec["code"]], "quote": text[rec["start"]:rec["end"]], "coder": rec["coder"]})
    return out


def test_utf16_crlf_export_imports_every_span_on_its_quote(refi_dir):
    result = import_qdpx(refi_dir / "utf16_crlf.qdpx")
    want = expected(refi_dir, "utf16_crlf")["codings"]
    users = {"Ann Coder": "ann_coder", "Ben Coder": "ben_coder"}
    got = imported_codings(result)
    assert sorted((c["interview_id"], c["code"], users[c["coder"]], c["quote"]) for c in want) == sorted(
        (c["interview_id"], c["code"], c["coder"], c["quote"]) for c in got)
    assert result.sources["convention"].tolist() == ["UTF-16 code units, line ends counted as 2, no BOM counted"] * 2
    assert result.report.items == []
    assert "\r" not in result.transcripts["S1-PW01-T1"]  # sources saved with CRLF are normalised
    # nested codes and colours come through
    book = result.codebook
    assert book.code("recovery_story").parent == "lived_experience" and book.code("token").parent == "valued"
    assert book.code("valued").colour == "#E7298A"


def test_trial_qde_with_bom_counted_media_and_losses(refi_dir):
    result = import_qdpx(refi_dir / "Trial.qdpx")
    want = expected(refi_dir, "Trial")
    got = imported_codings(result)
    assert sorted((c["code"], c["quote"]) for c in got) == sorted((c["code"], c["quote"]) for c in want["codings"])
    assert result.sources["convention"].tolist() == ["code points, line ends counted as 1, BOM counted"]
    kinds = [(i.kind, i.element) for i in result.report.items]
    assert kinds == [
        ("unanchored", "PlainTextSelection"),
        ("placed", "PlainTextSelection"),
        ("media", "PictureSource"),
        ("unsupported", "Note"),
        ("unsupported", "Links"),
    ]
    lines = result.report.lines()
    assert lines[0].endswith("S1-PW02-T1 [10, 30) with 1 coding(s) not imported: quoted text 'This sentence is not in the transcript a' is not in the source")
    assert lines[2].endswith("picture source 'badge photo' with 1 selection(s) and 1 coding(s) not imported (PeerImpact analyses text transcripts)")
    assert lines[4] == "unsupported: Links: 1 link(s) not imported"
    assert len(result.report.lost) == 4
    assert result.codebook.code("role").description == "The peer role & how it is seen"


def test_invalid_guid_is_rejected_with_its_line(refi_dir):
    with pytest.raises(StudyValidationError) as err:
        import_qdpx(refi_dir / "invalid_guid.qdpx")
    assert [str(p) for p in err.value.problems] == ["project.qde:5:guid: 'not-a-guid' is not a valid GUID (<Code>)"]


def _zip(path, entries):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


MINIMAL = '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="m"/>'


@pytest.mark.parametrize(
    "entries, message",
    [
        ({"sources/a.txt": "x"}, "p.qdpx: expected exactly one .qde file in the project, found none"),
        ({"a.qde": MINIMAL, "b.qde": MINIMAL}, "p.qdpx: expected exactly one .qde file in the project, found a.qde, b.qde"),
    ],
    ids=["no-qde", "two-qde"],
)
def test_archive_errors(tmp_path, entries, message):
    with pytest.raises(UserInputError) as err:
        import_qdpx(_zip(tmp_path / "p.qdpx", entries))
    assert str(err.value) == message


def test_not_a_zip(tmp_path):
    p = tmp_path / "p.qdpx"
    p.write_text("hello")
    with pytest.raises(UserInputError) as err:
        import_qdpx(p)
    assert str(err.value) == "p.qdpx: not a REFI-QDA project (.qdpx is a zip file): File is not a zip file"


@pytest.mark.parametrize(
    "qde, message",
    [
        ("<Project", "x.qde:1: is not well-formed XML: Couldn't find end of Start Tag Project, line 1, column 9"),
        ('<?xml version="1.0"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', "x.qde:2: root element is <CodeBook>, expected <Project>"),
    ],
    ids=["malformed", "wrong-root"],
)
def test_xml_errors(tmp_path, qde, message):
    with pytest.raises(StudyValidationError) as err:
        import_qdpx(_zip(tmp_path / "p.qdpx", {"x.qde": qde}))
    assert [str(p) for p in err.value.problems] == [message]


def test_nested_qde_and_capital_sources_and_source_naming(tmp_path):
    g = "0b6a1d3e-1111-4222-8333-944455556666"
    qde = (
        '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="n">'
        '<Variables><Variable guid="0b6a1d3e-1111-4222-8333-000000000001" name="site" typeOfVariable="Text"/>'
        '<Variable guid="0b6a1d3e-1111-4222-8333-000000000002" name="timepoint" typeOfVariable="Text"/>'
        '<Variable guid="0b6a1d3e-1111-4222-8333-000000000003" name="age" typeOfVariable="Integer"/></Variables>'
        f'<Cases><Case guid="0b6a1d3e-1111-4222-8333-000000000004" name="07"><SourceRef targetGUID="{g}"/></Case></Cases>'
        f'<Sources><TextSource guid="{g}" name="Interview with Jo.txt" plainTextPath="internal://{g.upper()}.TXT">'
        '<VariableValue><VariableRef targetGUID="0b6a1d3e-1111-4222-8333-000000000001"/><TextValue>3</TextValue></VariableValue>'
        '<VariableValue><VariableRef targetGUID="0b6a1d3e-1111-4222-8333-000000000002"/><TextValue>T2</TextValue></VariableValue>'
        '<VariableValue><VariableRef targetGUID="0b6a1d3e-1111-4222-8333-000000000003"/><IntegerValue>41</IntegerValue></VariableValue>'
        "</TextSource></Sources></Project>"
    )
    path = _zip(tmp_path / "p.qdpx", {"export/My Project.qde": qde, f"export/Sources/{g.upper()}.TXT": "PW: hello"})
    result = import_qdpx(path, "S{site}-PW{participant}-{timepoint}")
    assert list(result.transcripts) == ["S3-PW07-T2"]
    assert result.transcripts["S3-PW07-T2"] == "PW: hello"
    assert [str(i) for i in result.report.items] == [
        f"unsupported: VariableValue {g}: source variable 'age' = '41' dropped (only site and timepoint are kept)",
        f"renamed: TextSource {g}: source 'Interview with Jo.txt' named 'S3-PW07-T2' from its case and site/timepoint variables",
    ]


def test_source_that_cannot_be_named_is_a_problem(tmp_path):
    g = "0b6a1d3e-1111-4222-8333-944455556666"
    qde = (
        '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="n"><Sources>'
        f'<TextSource guid="{g}" name="Interview with Jo"><PlainTextContent>hi</PlainTextContent></TextSource>'
        "</Sources></Project>"
    )
    with pytest.raises(StudyValidationError) as err:
        import_qdpx(_zip(tmp_path / "p.qdpx", {"project.qde": qde}), "S{site}-PW{participant}-{timepoint}")
    assert [str(p) for p in err.value.problems] == [
        "project.qde:1:name: source 'Interview with Jo' does not match interview_id_pattern 'S{site}-PW{participant}-{timepoint}' "
        "and has no case with site and timepoint variables to name it (map it with --sources; `qual inspect` writes a template)"
    ]


def test_external_plain_text_is_reported_lost_with_its_codings(tmp_path, mini_study_dir):
    g = "0b6a1d3e-1111-4222-8333-944455556666"
    qde = (
        '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="n"><Sources>'
        f'<TextSource guid="{g}" name="S1-PW01-T3" plainTextPath="file:///C:/Projects/interview.txt">'
        '<PlainTextSelection guid="0b6a1d3e-1111-4222-8333-000000000001" startPosition="0" endPosition="3"/>'
        "</TextSource></Sources></Project>"
    )
    path = _zip(tmp_path / "p.qdpx", {"project.qde": qde})
    result = import_qdpx(path)
    assert [str(i) for i in result.report.lost] == [
        f"external: TextSource {g}: source 'S1-PW01-T3': plainTextPath 'file:///C:/Projects/interview.txt' is outside the project (external); not imported"
    ]
    from peerimpact.qual.refi import ImportLossError, import_qdpx_into

    with pytest.raises(ImportLossError) as err:
        import_qdpx_into(path, mini_study_dir)
    assert sorted(str(p)[:40] for p in err.value.problems) == ["p.qdpx: 1 item(s) would be lost; nothing", "p.qdpx: would lose external: TextSource "]


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("name,interview_id\nx,S1-PW01-T1\n", "sources.csv:1:source: column is missing"),
        ("source,interview_id\nx,S1-PW01-T1\nx,S1-PW01-T2\n", "sources.csv:3:source: source 'x' is listed twice"),
    ],
    ids=["missing-column", "twice"],
)
def test_bad_sources_csv(tmp_path, csv_text, message):
    from peerimpact.qual.refi import read_source_map

    path = tmp_path / "sources.csv"
    path.write_text(csv_text, encoding="utf-8")
    with pytest.raises(StudyValidationError) as err:
        read_source_map(path)
    assert [str(p) for p in err.value.problems] == [message]


def test_relative_path_and_mapping_by_guid(tmp_path):
    g = "0b6a1d3e-1111-4222-8333-944455556666"
    qde = (
        '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="n"><Sources>'
        f'<TextSource guid="{g.upper()}" plainTextPath="notes/Board 2017.txt"/></Sources></Project>'
    )
    path = _zip(tmp_path / "p.qdpx", {"project.qde": qde, "sources/notes/board 2017.TXT": "PW: hi"})
    result = import_qdpx(path, "S{site}-PW{participant}-{timepoint}", source_map={g: "S1-PW01-T3"})
    assert result.transcripts == {"S1-PW01-T3": "PW: hi"}
    assert result.sources["name"].tolist() == ["Board 2017.txt"]


def test_sources_csv_rows_naming_no_source_are_errors(tmp_path, mini_study_dir):
    # Before: a row whose source the project does not have (a typo, another project's GUID) was ignored without a word.
    import hashlib

    from typer.testing import CliRunner

    from peerimpact.cli.qual import app

    g, other = "0b6a1d3e-1111-4222-8333-944455556666", "0b6a1d3e-1111-4222-8333-000000000009"
    qde = (
        '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="n"><Sources>'
        f'<TextSource guid="{g}" name="Board 2017" plainTextPath="board.txt"/>'
        '<TextSource guid="0b6a1d3e-1111-4222-8333-944455556667" plainTextPath="Visit.txt"/></Sources></Project>'
    )
    path = _zip(tmp_path / "p.qdpx", {"project.qde": qde, "sources/board.txt": "PW: hi", "sources/visit.txt": "PW: yo"})
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "source,interview_id\n"
        f"{g.upper()},S1-PW01-T1\n"  # row 2: the first source by GUID
        "Board 2018,S1-PW01-T2\n"  # row 3: no such name
        "Visit.txt,S1-PW02-T1\n"  # row 4: the second source by its file name (it has no name)
        "board.txt,\n"  # row 5: left empty, skipped
        f"{{{other}}},S2-PW03-T2\n",  # row 6: a GUID of no source
        encoding="utf-8",
    )
    from peerimpact.qual.refi import read_source_map

    with pytest.raises(StudyValidationError) as err:
        import_qdpx(path, "S{site}-PW{participant}-{timepoint}", source_map=read_source_map(mapping))
    assert [str(p) for p in err.value.problems] == [
        "map.csv:3:source: 'Board 2018' is not a source of the project (neither a source GUID nor a source name)",
        f"map.csv:6:source: '{{{other}}}' is not a source of the project (neither a source GUID nor a source name)",
    ]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in mini_study_dir.rglob("*") if p.is_file()}
    run = CliRunner().invoke(app, ["import-qdpx", str(path), "--into", str(mini_study_dir), "--sources", str(mapping)])
    assert run.exit_code == 2
    assert "map.csv:3:source: 'Board 2018' is not a source" in run.output and "map.csv:6:source:" in run.output
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in mini_study_dir.rglob("*") if p.is_file()} == before


NOTE_G, NOTE_SRC = "0b6a1d3e-1111-4222-8333-944455550001", "0b6a1d3e-1111-4222-8333-944455550002"


@pytest.mark.parametrize(
    ("note", "members", "memos", "lost", "problems"),
    [
        pytest.param('plainTextPath="internal://m.txt"', {"sources/m.txt": "\ufeffMemo\r\nline"}, [("memo_a", "Memo\nline")], [], [], id="in-archive"),
        pytest.param('plainTextPath="internal://missing.txt"', {}, [],
                     ["unsupported: Note: note 'Memo A': plainTextPath 'internal://missing.txt' is not in the project; its text cannot be read, not imported"],
                     [], id="missing"),
        pytest.param('plainTextPath="file:///C:/memos/a.txt"', {}, [],
                     ["external: Note: note 'Memo A': plainTextPath 'file:///C:/memos/a.txt' is outside the project (external); its text cannot be read, not imported"],
                     [], id="external"),
        pytest.param('plainTextPath="internal://m.txt"', {"sources/m.txt": b"caf\xe9"}, [], [],
                     ["project.qde:1:plainTextPath: note 'Memo A': internal://m.txt is not UTF-8 text"], id="not-utf8"),
        pytest.param('richTextPath="internal://m.rtf"', {"sources/m.rtf": "{\\rtf1 Memo}"}, [],
                     ["unsupported: Note: note 'Memo A': only rich text 'internal://m.rtf' that is not .docx; not imported"], [], id="rtf-only"),
        pytest.param("", {}, [("memo_a", "")], [], [], id="empty-note"),
    ],
)
def test_note_text_from_a_file_is_read_or_the_note_reported(tmp_path, note, members, memos, lost, problems):
    # Before: a note whose plainTextPath was missing or external came in with empty text and no report; a non-UTF-8 one crashed.
    qde = (
        '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="n" origin="NVivo for Windows 12.6">'
        f'<Sources><TextSource guid="{NOTE_SRC}" name="S1-PW01-T3"><PlainTextContent>hi</PlainTextContent>'
        f'<NoteRef targetGUID="{NOTE_G}"/></TextSource></Sources>'
        f'<Notes><Note guid="{NOTE_G}" name="Memo A" {note}/></Notes></Project>'
    )
    path = _zip(tmp_path / "p.qdpx", {"project.qde": qde} | members)
    if problems:
        with pytest.raises(StudyValidationError) as err:
            import_qdpx(path)
        assert [str(p) for p in err.value.problems] == problems
        return
    result = import_qdpx(path)
    assert [(m.id, m.text) for m in result.memos.memos] == memos
    assert [str(i).replace(f" {NOTE_G}", "") for i in result.report.lost] == lost


CASE_SRC = [f"0b6a1d3e-1111-4222-8333-9444555600{k:02d}" for k in range(3)]


@pytest.mark.parametrize(
    ("cases", "mapping", "report"),
    [
        pytest.param({"Jane": [0, 1]}, ["S1-PW01-T1", "S1-PW01-T2"], [("renamed", "case 'Jane' is participant 01 (from its sources' interview ids)")], id="one-participant"),
        pytest.param({"Jane": [0, 1]}, ["S1-PW01-T1", "S1-PW02-T1"],
                     [("unsupported", "case 'Jane' groups sources that became interviews of participants 01, 02; the case is not kept")], id="split"),
        pytest.param({"Jane": [0], "John": [1]}, ["S1-PW01-T1", "S1-PW01-T2"],
                     [("unsupported", "case 'Jane': its sources became interviews of participant 01, as did those of case(s) 'John'; the case is not kept apart"),
                      ("unsupported", "case 'John': its sources became interviews of participant 01, as did those of case(s) 'Jane'; the case is not kept apart")],
                     id="merged"),
        pytest.param({"01": [0, 1]}, ["S1-PW01-T1", "S1-PW01-T2"], [], id="same-name"),
    ],
)
def test_cases_are_carried_as_participants_or_reported(tmp_path, cases, mapping, report):
    # Before: a case was used only to name unnamed sources; when sources.csv named them, the case vanished without a word.
    case_xml = "".join(
        f'<Case guid="0b6a1d3e-1111-4222-8333-95000000000{i}" name="{name}">' + "".join(f'<SourceRef targetGUID="{CASE_SRC[k]}"/>' for k in refs) + "</Case>"
        for i, (name, refs) in enumerate(cases.items()))
    sources = "".join(f'<TextSource guid="{g}" name="Interview {k}"><PlainTextContent>hi {k}</PlainTextContent></TextSource>' for k, g in enumerate(CASE_SRC[:2]))
    qde = f'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="n"><Cases>{case_xml}</Cases><Sources>{sources}</Sources></Project>'
    result = import_qdpx(_zip(tmp_path / "p.qdpx", {"project.qde": qde}), "S{site}-PW{participant}-{timepoint}",
                         {f"Interview {k}": iid for k, iid in enumerate(mapping)})
    assert [(i.kind, i.detail) for i in result.report.items if i.element == "Case"] == report


QC_TEXT = ("Interviewer: first line of the board minutes.\nPW: page one ends here\x0cpage two starts here.\n"
           "PW: the third line is about peer support.\nPW: a line with\u2028a line separator inside it.\nInterviewer: the last line talks about the ward.\n")


def test_qc_line_names_count_lines_at_lf_only(tmp_path):
    # Before: lines were counted with str.splitlines, which also splits at a form feed or U+2028, so line:2 and later
    # were "found once" elsewhere and relocated onto the wrong line (reported only as a note; exit 0).
    lines = QC_TEXT.split("\n")[:-1]
    starts = [sum(len(x) + 1 for x in lines[:i]) for i in range(len(lines))]
    sels = "".join(
        f'<PlainTextSelection guid="0b6a1d3e-3333-4222-8333-00000000000{n}" name="line:{n}" startPosition="{starts[n]}" endPosition="{starts[n] + len(lines[n]) + 1}">'
        '<Coding guid="0b6a1d3e-3333-4222-8333-10000000000{n}" creatingUser="0b6a1d3e-3333-4222-8333-200000000000">'
        '<CodeRef targetGUID="0b6a1d3e-3333-4222-8333-300000000000"/></Coding></PlainTextSelection>'.replace("{n}", str(n))
        for n in range(len(lines)))
    qde = ('<Project xmlns="urn:QDA-XML:project:1.0" origin="qc 1.3.2" name="qc"><Users><User guid="0b6a1d3e-3333-4222-8333-200000000000" name="chris"/></Users>'
           '<CodeBook><Codes><Code guid="0b6a1d3e-3333-4222-8333-300000000000" name="x" isCodable="true"/></Codes></CodeBook>'
           f'<Sources><TextSource guid="0b6a1d3e-3333-4222-8333-400000000000" plainTextPath="board_2017.txt">{sels}</TextSource></Sources></Project>')
    result = import_qdpx(_zip(tmp_path / "p.qdpx", {"project.qde": qde, "sources/board_2017.txt": QC_TEXT.encode("utf-8")}))
    text = result.transcripts["board_2017"]
    assert [text[r["start"]:r["end"]] for r in result.codings.to_dict("records")] == [line + "\n" for line in lines]
    assert [i for i in result.report.items if i.kind != "placed"] == []


DESC = {k: f"0b6a1d3e-4444-4222-8333-0000000000{k:02d}" for k in range(10)}


def test_descriptions_and_uncoded_selections_are_carried_or_reported(tmp_path, mini_study_dir):
    # Before: a selection's Description (ATLAS.ti's quotation comment), a source's Description, a case's and the
    # project's were dropped without a word, as was a selection with no coding; a note on such a selection made the
    # study fail validation (its memo pointed at a segment that did not exist).
    d = DESC
    coded = (f'<PlainTextSelection guid="{d[1]}" name="" startPosition="0" endPosition="5" creatingUser="{d[0]}"><Description>Strong word here.</Description>'
             f'<Coding guid="{d[2]}" creatingUser="{d[0]}"><CodeRef targetGUID="{d[3]}"/></Coding></PlainTextSelection>')
    free = (f'<PlainTextSelection guid="{d[4]}" name="" startPosition="6" endPosition="11" creatingUser="{d[0]}"><Description>A free quotation.</Description>'
            f'<NoteRef targetGUID="{d[5]}"/></PlainTextSelection>')
    qde = ('<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="n" origin="ATLAS.ti for Windows 23.2.0"><Description>About the project.</Description>'
           f'<Users><User guid="{d[0]}" name="Dee"/></Users><CodeBook><Codes><Code guid="{d[3]}" name="C1" isCodable="true"/></Codes></CodeBook>'
           f'<Cases><Case guid="{d[6]}" name="01"><Description>Met at the cafe.</Description><SourceRef targetGUID="{d[7]}"/></Case></Cases>'
           f'<Sources><TextSource guid="{d[7]}" name="S1-PW01-T3"><Description>Second interview, noisy room.</Description>'
           f'<PlainTextContent>hello world, again</PlainTextContent>{coded}{free}</TextSource></Sources>'
           f'<Notes><Note guid="{d[5]}" name="On the free quotation" creatingUser="{d[0]}"><PlainTextContent>why</PlainTextContent></Note></Notes></Project>')
    result = import_qdpx(_zip(tmp_path / "p.qdpx", {"project.qde": qde}), "S{site}-PW{participant}-{timepoint}")
    seg = result.codings["segment_id"].iloc[0]
    assert sorted((m.target.type, m.target.id, m.author, m.text) for m in result.memos.memos) == [
        ("segment", seg, "Dee", "Strong word here."), ("transcript", "S1-PW01-T3", "unknown", "Second interview, noisy room.")]
    assert sorted((i.element, i.detail) for i in result.report.lost) == [
        ("Case", "case '01': its description is not imported (PeerImpact keeps no case notes)"),
        ("Note", "note 'On the free quotation' is attached to a selection that carries no imported coding (PeerImpact segments exist through their codings); not imported"),
        ("PlainTextSelection", "S1-PW01-T3 [6, 11) has no coding; a selection alone is not kept (PeerImpact segments exist through their codings)"),
        ("PlainTextSelection", "its description is on a selection that carries no imported coding (PeerImpact segments exist through their codings); not imported"),
        ("Project", "the project's description is not imported (PeerImpact has no project memo)"),
    ]
    import peerimpact
    from peerimpact.qual.refi import import_qdpx_into

    import_qdpx_into(tmp_path / "p.qdpx", mini_study_dir, accept_loss=True)
    memos = peerimpact.load_study(mini_study_dir).memos  # validate passes: the segment memo points at an imported segment
    assert "Strong word here." in str(memos) and "Second interview, noisy room." in str(memos)
