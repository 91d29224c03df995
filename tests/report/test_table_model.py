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
