"""Table 2: service use per timepoint, with optional disclosure control."""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from ..errors import UserInputError
from ..study.definition import StudyDefinition
from .disclosure import suppress
from .schema import SERVICE_USE

TOTAL = "total"


def _service_order(instruments: Mapping[str, Any] | None, present: list[str]) -> list[str]:
    declared: list[str] = []
    for inst in (instruments or {}).values():
        if getattr(inst, "kind", None) == "service_use":
            declared += [s.id for s in inst.services if s.id not in declared]
    return declared + sorted(s for s in present if s not in declared)


def _display(value: int, status: str | None, k: int | None) -> str:
    return f"<{k}" if status == "primary" else "*" if status == "secondary" else str(value)


def service_use(
    data: pd.DataFrame,
    definition: StudyDefinition,
    instruments: Mapping[str, Any] | None = None,
    suppress_below: int | None = None,
) -> pd.DataFrame:
    """Participants using each service at each timepoint where service use was collected.

    Parameters
    ----------
    data : pandas.DataFrame
        ``study.service_use``: ``participant_id, timepoint, service, used, count``.
    definition : StudyDefinition
        Timepoint order.
    instruments : mapping, optional
        ``study.instruments``: a ``service_use`` instrument gives the order of
        services (all its services are listed, used or not).
    suppress_below : int, optional
        Disclosure threshold k (``study.yaml``'s ``suppress_below``); see
        :mod:`peerimpact.quant.disclosure`.

    Returns
    -------
    pandas.DataFrame
        Fields of ``service_use`` in ``docs/results-schema.md``: the cells
        (services x timepoints), then the column totals (``service`` =
        ``total``), the row totals (``timepoint`` = ``total``) and the grand
        total. Row totals need two timepoints, column totals two services,
        the grand total both. Totals are suppressed like cells.

    Raises
    ------
    UserInputError
        When a service is called ``total`` (the name is reserved).

    Notes
    -----
    Counts are verified by hand-made tables, and disclosure control by an
    exact audit (no hidden cell is recoverable), in
    ``tests/quant/test_service_use.py`` and ``tests/quant/test_disclosure.py``.
    """
    if data is None or not len(data):
        return pd.DataFrame(columns=SERVICE_USE.columns)
    if (data["service"] == TOTAL).any():
        raise UserInputError("service_use.csv uses the reserved service id 'total'")
    present_tp = set(data["timepoint"])
    timepoints = [t for t in definition.timepoint_ids if t in present_tp]
    services = _service_order(instruments, list(pd.unique(data["service"])))
    responded = data.groupby("timepoint")["participant_id"].nunique()
    users = data[data["used"] == 1]
    n_used = (
        users.groupby(["service", "timepoint"])["participant_id"].nunique()
        .reindex(pd.MultiIndex.from_product([services, timepoints]), fill_value=0)
        .to_numpy().reshape(len(services), len(timepoints))
    )
    counted = users[users["count"].notna()]
    count_n = counted.groupby(["service", "timepoint"])["participant_id"].nunique()
    count_total = counted.groupby(["service", "timepoint"])["count"].sum()
    sup = suppress(n_used, suppress_below)
    rows = []
    for i, s in enumerate(services):
        for j, t in enumerate(timepoints):
            status = sup.cells[i, j]
            nr = int(responded.get(t, 0))
            cn = int(count_n.get((s, t), 0))
            ct = float(count_total.get((s, t), 0.0))
            hidden = status is not None
            rows.append({
                "service": s, "timepoint": t, "n_responded": nr,
                "n_used": None if hidden else int(n_used[i, j]),
                "percent": None if hidden or nr == 0 else 100.0 * n_used[i, j] / nr,
                "count_n": None if hidden else cn,
                "count_total": None if hidden or cn == 0 else ct,
                "count_mean": None if hidden or cn == 0 else ct / cn,
                "suppression": status,
                "display": _display(int(n_used[i, j]), status, suppress_below),
            })

    def total(service: str, timepoint: str, value: int, why: str | None) -> dict:
        return {"service": service, "timepoint": timepoint, "n_responded": None,
                "n_used": None if why else int(value), "percent": None, "count_n": None,
                "count_total": None, "count_mean": None, "suppression": why,
                "display": _display(int(value), why, suppress_below)}

    if sup.col_applies:
        rows += [total(TOTAL, t, n_used[:, j].sum(), sup.col_status[j]) for j, t in enumerate(timepoints)]
    if sup.row_applies:
        rows += [total(s, TOTAL, n_used[i].sum(), sup.row_status[i]) for i, s in enumerate(services)]
    if sup.row_applies and sup.col_applies:
        rows.append(total(TOTAL, TOTAL, n_used.sum(), sup.grand_status))
    out = pd.DataFrame(rows, columns=SERVICE_USE.columns)
    for c in ("n_responded", "n_used", "count_n"):
        out[c] = out[c].astype("Int64")
    for c in ("percent", "count_total", "count_mean"):
        out[c] = out[c].astype(float)
    return out
