"""``end_date`` in study.yaml: months in post of workers still in post run to it (issue 18)."""

from __future__ import annotations

import math

from peerimpact.quant.workforce import workforce
from quant_builders import definition, make_study
from test_quant_workforce import ALLOCATIONS, CONTACTS, EMPLOYMENT, PEOPLE

# Months in post count days / (365.25 / 12), written here as a literal, not imported.
DAYS_PER_MONTH = 30.4375


def test_months_in_post_run_to_the_end_date():
    study = make_study(definition(sites=("1", "2"), end_date="2021-03-01"), participants=PEOPLE, employment=EMPLOYMENT,
                       allocations=ALLOCATIONS, contacts=CONTACTS)
    row = workforce(study).set_index("site").loc["all"]
    # still in post: 02 from 2020-01-01 (425 days to 2021-03-01), 03 from 2020-03-01 (365 days);
    # left: 01 after 182 days, 04 after 60 days
    assert row["reference_date"] == "2021-03-01"
    assert math.isclose(row["months_in_post_max"], 425 / DAYS_PER_MONTH, rel_tol=1e-12)
    assert math.isclose(row["months_in_post_mean"], (182 + 425 + 365 + 60) / 4 / DAYS_PER_MONTH, rel_tol=1e-12)
