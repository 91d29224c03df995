"""Table 2 on a hand-made service-use table, with and without disclosure control."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from peerimpact.errors import UserInputError
from peerimpact.quant.disclosure import augment, cell_ranges
from peerimpact.quant.service_use import service_use
from quant_builders import definition, make_study

DEFN = definition(timepoints=(("T1", 0), ("T2", 4), ("T3", 12)))


def _rows(tp, service, used_by, n=10, count=2.0):
    return [{"participant_id": f"p{i}", "timepoint": tp, "service": service, "used": float(i < used_by),
             "count": count if i < used_by else 0.0} for i in range(n)]


DATA = _rows("T1", "gp", 6) + _rows("T1", "a_and_e", 2) + _rows("T3", "gp", 7, n=8) + _rows("T3", "a_and_e", 0, n=8)


def _table(k=None):
    study = make_study(DEFN, service_use=DATA)
    return service_use(study.service_use, DEFN, suppress_below=k).set_index(["service", "timepoint"])


def test_counts_only_for_timepoints_collected():
    t = _table()
    assert sorted({tp for _, tp in t.index}) == ["T1", "T3", "total"]
    assert (t.loc[("gp", "T1"), "n_used"], t.loc[("gp", "T1"), "n_responded"], t.loc[("gp", "T1"), "percent"]) == (6, 10, 60.0)
    assert (t.loc[("gp", "T3"), "n_used"], t.loc[("gp", "T3"), "n_responded"], t.loc[("gp", "T3"), "percent"]) == (7, 8, 87.5)
    assert (t.loc[("gp", "T1"), "count_total"], t.loc[("gp", "T1"), "count_mean"]) == (12.0, 2.0)
    assert t.loc[("a_and_e", "T3"), "n_used"] == 0 and math.isnan(t.loc[("a_and_e", "T3"), "count_mean"])


def test_totals():
    t = _table()
    assert [t.loc[("total", tp), "n_used"] for tp in ("T1", "T3")] == [8, 7]
    assert [t.loc[(s, "total"), "n_used"] for s in ("gp", "a_and_e")] == [13, 2]
    assert t.loc[("total", "total"), "n_used"] == 15


def test_without_k_nothing_is_suppressed():
    t = _table()
    assert t["suppression"].isna().all()
    assert t.loc[("a_and_e", "T1"), "display"] == "2"


def test_suppression_hides_small_counts_and_what_would_reveal_them():
    t = _table(5)
    assert t.loc[("a_and_e", "T1"), "suppression"] == "primary"
    assert t.loc[("a_and_e", "T1"), "display"] == "<5"
    assert t.loc[("a_and_e", "total"), "display"] == "<5"  # the row total is 2 as well
    hidden = t[t["suppression"].notna()]
    assert hidden["n_used"].isna().all() and hidden["percent"].isna().all() and hidden["count_total"].isna().all()
    assert set(hidden.loc[hidden["suppression"] == "secondary", "display"]) <= {"*"}
    # What a reader sees, as an augmented table (cells + totals): no hidden count is pinned down.
    services, tps = ["gp", "a_and_e", "total"], ["T1", "T3", "total"]
    values = np.array([[_true_count(s, tp) for tp in tps] for s in services])
    hidden = np.array([[t.loc[(s, tp), "suppression"] is not None for tp in tps] for s in services])
    primary = np.array([[t.loc[(s, tp), "suppression"] == "primary" for tp in tps] for s in services])
    ranges = cell_ranges(augment(values[:2, :2]), hidden, primary, 5)
    assert ranges and all(hi - lo >= 1 for lo, hi in ranges.values())


def _true_count(service, tp):
    frame = pd.DataFrame(DATA)
    sel = frame["used"] == 1
    if service != "total":
        sel &= frame["service"] == service
    if tp != "total":
        sel &= frame["timepoint"] == tp
    return int(sel.sum())


def test_services_follow_the_instrument_order():
    class Service:
        def __init__(self, id_):
            self.id = id_

    class Csri:
        kind = "service_use"
        services = [Service("a_and_e"), Service("gp"), Service("cmht")]

    study = make_study(DEFN, service_use=DATA)
    out = service_use(study.service_use, DEFN, instruments={"csri": Csri()})
    assert list(dict.fromkeys(out["service"])) == ["a_and_e", "gp", "cmht", "total"]
    assert out[(out["service"] == "cmht")]["n_used"].tolist() == [0, 0, 0]


def test_reserved_service_id():
    study = make_study(DEFN, service_use=_rows("T1", "total", 1))
    with pytest.raises(UserInputError) as err:
        service_use(study.service_use, DEFN)
    assert str(err.value) == "service_use.csv uses the reserved service id 'total'"
