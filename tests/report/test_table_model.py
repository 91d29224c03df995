"""ReportTable: one set of cells, checked shape, the same CSV every time."""

from __future__ import annotations

import pytest

from peerimpact.report.table_model import ReportTable


def _table(**kw):
    base = dict(
        key="t",
        title="A table",
        columns=("Outcome", "n", "Mean (SD)", "n", "Mean (SD)"),
        rows=(("Total", "5", "1.0 (0.5)", "4", "2.0 (0.1)"), ("Sub", "5", "3.0 (1.0)", "4", "4.0, \"x\"")),
        row_ids=("a.total", "a.sub"),
        row_id_name="outcome",
        groups=("Inst", "Inst"),
        column_groups=(("", 1), ("T1", 2), ("T2", 2)),
    )
    base.update(kw)
    return ReportTable(**base)


def test_csv_has_ids_section_and_flattened_headers():
    assert _table().to_csv() == (
        "outcome,section,Outcome,T1 n,T1 Mean (SD),T2 n,T2 Mean (SD)\n"
        "a.total,Inst,Total,5,1.0 (0.5),4,2.0 (0.1)\n"
        'a.sub,Inst,Sub,5,3.0 (1.0),4,"4.0, ""x"""\n'
    )


def test_csv_without_ids_or_groups():
    t = ReportTable("u", "U", ("A", "B"), (("1", "2\nline"),))
    assert t.to_csv() == 'A,B\n1,"2\nline"\n'


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(rows=(("x",),)), "table t: row 0 has 1 cells for 5 columns"),
        (dict(row_ids=("a",)), "table t: row_ids has 1 entries for 2 rows"),
        (dict(groups=("g",)), "table t: groups has 1 entries for 2 rows"),
        (dict(column_groups=(("T1", 2),)), "table t: column groups span 2 of 5 columns"),
        (dict(numeric=(True,)), "table t: numeric flags for 1 of 5 columns"),
    ],
    ids=["row-width", "row-ids", "groups", "column-groups", "numeric"],
)
def test_shape_errors(kw, message):
    with pytest.raises(ValueError) as exc:
        _table(**kw)
    assert str(exc.value) == message


def test_group_runs_and_caption():
    t = _table(groups=("A", "B"), number="3")
    assert t.group_runs() == [("A", [0]), ("B", [1])]
    assert t.caption == "Table 3. A table"
    assert _table(groups=None).group_runs() == [(None, [0, 1])]


def _wide(n_groups: int, span: int = 3) -> ReportTable:
    columns = ("Outcome",) + ("n", "Mean (SD)", "Range")[:span] * n_groups + ("Mean (SD)",)
    groups = (("", 1),) + tuple((f"T{g}", span) for g in range(1, n_groups + 1)) + (("Norm", 1),)
    row = ("Total",) + tuple(f"{g}.{c}" for g in range(1, n_groups + 1) for c in range(span)) + ("50.0 (8.0)",)
    return ReportTable("t3", "Outcomes", columns, (row,), notes=("A note.",), column_groups=groups, numeric=(False,) + (True,) * (len(columns) - 1))


@pytest.mark.parametrize(
    "n_groups,max_columns,expected",
    [
        (3, 14, [["T1", "T2", "T3", "Norm"]]),
        (5, 14, [["T1", "T2", "T3", "T4"], ["T5", "Norm"]]),
        (6, 8, [["T1", "T2"], ["T3", "T4"], ["T5", "T6", "Norm"]]),
    ],
    ids=["fits", "two-parts", "three-parts"],
)
def test_a_wide_table_splits_between_whole_column_groups(n_groups, max_columns, expected):
    whole = _wide(n_groups)
    parts = whole.column_parts(max_columns)
    assert [[label for label, _ in p.column_groups[1:]] for p in parts] == expected
    assert all(len(p.columns) <= max_columns and p.rows[0][0] == "Total" for p in parts)
    # every cell shown exactly once, beside its own header; notes under the last part only
    cells = [(c, v) for p in parts for c, v in zip(p.flat_columns()[1:], p.rows[0][1:], strict=True)]
    assert cells == list(zip(whole.flat_columns()[1:], whole.rows[0][1:], strict=True))
    assert [p.notes for p in parts] == [()] * (len(parts) - 1) + [("A note.",)]
    assert [p.key for p in parts][:2] == ["t3", "t3-part2"][: len(parts)]
    if len(parts) > 1:
        assert parts[1].title == f"Outcomes (continued, part 2 of {len(parts)})"


def test_a_table_without_column_groups_splits_by_column():
    t = ReportTable("w", "Wide", tuple(f"c{j}" for j in range(20)), (tuple(str(j) for j in range(20)),))
    parts = t.column_parts(8)
    assert [p.columns[0] for p in parts] == ["c0"] * 3 and sum(len(p.columns) - 1 for p in parts) == 19


def test_the_word_file_shows_the_same_parts(tmp_path):
    from docx import Document

    from peerimpact.report.document import ReportDocument, Section
    from peerimpact.report.docx_writer import write_docx
    from peerimpact.report.provenance import Provenance

    table = _wide(6).numbered("3")
    doc = ReportDocument(title="Wide (synthetic)", synthetic=True, sections=(Section("s", "S", (table,)),),
                         provenance=Provenance("2026-01-01T00:00:00Z", (("peerimpact", "test"),), ()))
    word = Document(str(write_docx(doc, tmp_path / "wide.docx")))
    parts = table.column_parts(14)
    assert len(parts) == 2
    shown = [[c.text for c in t.rows[1].cells] for t in word.tables[: len(parts)]]  # row 0: the spanning groups
    assert shown == [list(p.columns) for p in parts]
    captions = [p.text for p in word.paragraphs if p.text.startswith("Table 3.")]
    assert captions == ["Table 3. Outcomes", "Table 3. Outcomes (continued, part 2 of 2)"]
