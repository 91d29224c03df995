"""The demo reproduces the seed study's published summary figures exactly (docs/facts.md, section 1).

Every figure is computed here from the generated CSV text with pandas, for the
default seed and for other seeds (the calibration is constructive, so any seed
must give the same published figures).
"""

from __future__ import annotations

import pytest

from demo_helpers import read_csv, scores
from peerimpact.demo import make_study


def _participants(f):
    return read_csv(f, "participants.csv")


def _employment(f):
    """employment.csv with sick_days filled from absence.csv's spells (format version 2), days counted inclusively."""
    e = read_csv(f, "employment.csv")
    a = read_csv(f, "absence.csv")
    days = (a.end_date.astype("datetime64[ns]") - a.start_date.astype("datetime64[ns]")).dt.days + 1
    derived = days.groupby(a.participant_id).sum()
    e["sick_days"] = e.participant_id.map(derived).fillna(e.sick_days)
    return e


def _contracted(f):
    e = _employment(f)
    return e[e.contract == "contracted"]


def _sick_positive(f):
    s = _contracted(f).sick_days
    return s[s > 0]


def _months(f):
    e = _employment(f)
    return (e.end_date.astype("datetime64[ns]") - e.start_date.astype("datetime64[ns]")).dt.days / 30.4375


def _f2f_per_worker(f):
    c = read_csv(f, "contacts.csv")
    done = c[(c["mode"] == "face_to_face") & (c.status == "completed")]
    return done.groupby("worker_id").size()


def _people_per_worker(f):
    return read_csv(f, "allocations.csv").groupby("worker_id").person_id.nunique()


def _site_sizes(f):
    return _participants(f).groupby("site").size()


def _transcripts(f, wave):
    return sum(1 for k in f if k.startswith("transcripts/") and k.endswith(f"-{wave}.txt"))


def _rows(f, wave):
    r = read_csv(f, "responses.csv")
    return int((r.timepoint == wave).sum())


def _wemwbs_n(f, wave):
    w = scores(f)
    return int(w.loc[w.timepoint == wave, "wemwbs.total"].notna().sum())


def _t1_use(f, service):
    s = read_csv(f, "service_use.csv")
    return int(s[(s.timepoint == "T1") & (s.service == service)].used.sum())


FIGURES = [
    ("participants", lambda f: len(_participants(f)), 32),
    ("sites", lambda f: len(_site_sizes(f)), 7),
    ("site_sizes_sum", lambda f: int(_site_sizes(f).sum()), 32),
    ("site_size_min_at_least_2", lambda f: int(_site_sizes(f).min()) >= 2, True),
    ("site_size_max_at_most_5", lambda f: int(_site_sizes(f).max()) <= 5, True),
    ("women", lambda f: int((_participants(f).gender == "Woman").sum()), 21),
    ("age_mean", lambda f: round(float(_participants(f).age.mean()), 1), 42.9),
    ("age_min", lambda f: int(_participants(f).age.min()), 26),
    ("age_max", lambda f: int(_participants(f).age.max()), 59),
    ("age_sd_near_9", lambda f: abs(float(_participants(f).age.std()) - 9.0) < 0.3, True),
    ("ethnicity_reported", lambda f: int(_participants(f).ethnicity.notna().sum()), 30),
    ("white", lambda f: int((_participants(f).ethnicity == "White").sum()), 25),
    ("education_reported", lambda f: int(_participants(f).education.notna().sum()), 25),
    ("graduates", lambda f: int((_participants(f).education == "Graduate").sum()), 8),
    ("relationship_reported", lambda f: int(_participants(f).relationship.notna().sum()), 25),
    ("in_relationship", lambda f: int((_participants(f).relationship == "In a relationship").sum()), 7),
    ("bank_staff", lambda f: int((_employment(f).contract == "bank").sum()), 2),
    ("bank_without_hours_or_sickness",
     lambda f: bool(_employment(f).query("contract == 'bank'")[["hours_per_week", "sick_days"]].isna().all().all()), True),
    ("contracted", lambda f: len(_contracted(f)), 30),
    ("hours_min", lambda f: float(_contracted(f).hours_per_week.min()), 10.0),
    ("hours_max", lambda f: float(_contracted(f).hours_per_week.max()), 30.0),
    ("hours_mean", lambda f: round(float(_contracted(f).hours_per_week.mean()), 1), 17.8),
    ("no_sick_leave", lambda f: int((_contracted(f).sick_days == 0).sum()), 12),
    ("sick_median_of_others", lambda f: float(_sick_positive(f).median()), 5.0),
    ("sick_max", lambda f: float(_sick_positive(f).max()), 55.0),
    ("sick_mean_over_contracted", lambda f: round(float(_contracted(f).sick_days.mean()), 1), 7.7),
    ("months_mean", lambda f: round(float(_months(f).mean()), 1), 17.7),
    ("months_min", lambda f: round(float(_months(f).min()), 1), 6.1),
    ("months_max", lambda f: round(float(_months(f).max()), 1), 31.6),
    ("workers_with_f2f", lambda f: len(_f2f_per_worker(f)), 30),
    ("workers_without_contacts",
     lambda f: 32 - read_csv(f, "contacts.csv").worker_id.nunique(), 2),
    ("f2f_total", lambda f: int(_f2f_per_worker(f).sum()), 1682),
    ("f2f_min", lambda f: int(_f2f_per_worker(f).min()), 2),
    ("f2f_max", lambda f: int(_f2f_per_worker(f).max()), 273),
    ("f2f_mean", lambda f: round(float(_f2f_per_worker(f).mean()), 1), 56.1),
    ("people_mean", lambda f: round(float(_people_per_worker(f).mean()), 1), 9.7),
    ("people_min", lambda f: int(_people_per_worker(f).min()), 1),
    ("people_max", lambda f: int(_people_per_worker(f).max()), 39),
    ("responses_T1", lambda f: _rows(f, "T1"), 32),
    ("responses_T2", lambda f: _rows(f, "T2"), 20),
    ("responses_T3", lambda f: _rows(f, "T3"), 21),
    ("wemwbs_n_T1", lambda f: _wemwbs_n(f, "T1"), 32),
    ("wemwbs_n_T2", lambda f: _wemwbs_n(f, "T2"), 20),
    ("wemwbs_n_T3", lambda f: _wemwbs_n(f, "T3"), 21),
    ("transcripts_T1", lambda f: _transcripts(f, "T1"), 31),
    ("transcripts_T2", lambda f: _transcripts(f, "T2"), 20),
    ("transcripts_T3", lambda f: _transcripts(f, "T3"), 21),
    ("no_admission_before_T1", lambda f: _t1_use(f, "psychiatric_inpatient"), 0),
    ("no_crisis_care_before_T1", lambda f: _t1_use(f, "crisis_team"), 0),
]


@pytest.mark.parametrize("figure, compute, expected", FIGURES, ids=[f[0] for f in FIGURES])
def test_published_figure_default_seed(files, figure, compute, expected):
    assert compute(files) == expected


@pytest.fixture(scope="module", params=[0, 1, 99, 123456], ids=lambda s: f"seed{s}")
def other_seed_files(request):
    return make_study(request.param)


def test_published_figures_hold_for_any_seed(other_seed_files):
    wrong = {name: compute(other_seed_files) for name, compute, expected in FIGURES
             if compute(other_seed_files) != expected}
    assert wrong == {}
