"""The demo's CSRI-style service use (``service_use.csv``) at the first and last waves.

As published (``docs/facts.md``), nobody reported a psychiatric admission or crisis
care in the three months before the first wave. Other use is plausible for
part-time staff with lived experience: GP visits common, psychological therapy
for some, and people with lower wellbeing somewhat more likely to use services.
"""

from __future__ import annotations

import numpy as np

from . import design

#: service -> (probability of any use at the first wave, at the last wave, largest count)
USE = {
    "psychiatric_inpatient": (0.0, 0.0, 1),
    "crisis_team": (0.0, 0.05, 3),
    "a_and_e": (0.06, 0.06, 2),
    "gp": (0.45, 0.45, 5),
    "cmht": (0.12, 0.12, 6),
    "psychological_therapy": (0.22, 0.2, 12),
    "outpatient": (0.12, 0.1, 3),
    "other": (0.1, 0.1, 4),
}


def service_rows(rng: np.random.Generator, people, wellbeing: dict[str, np.ndarray]) -> list[list[object]]:
    """Rows of ``service_use.csv`` (header first): every service for every respondent at two waves."""
    waves = [design.WAVES[0].id, design.WAVES[-1].id]
    rows: list[list[object]] = [["participant_id", "timepoint", "service", "used", "count"]]
    for i, p in enumerate(people):
        for k, w in enumerate(waves):
            if w not in p.waves:
                continue
            score = wellbeing[w][i]
            z = 0.0 if np.isnan(score) else (score - 49.8) / 9.0
            lift = float(np.clip(1.0 - 0.4 * z, 0.3, 2.0))
            for service, (p_first, p_last, most) in USE.items():
                prob = min((p_first, p_last)[k] * lift, 0.95)
                used = bool(rng.random() < prob)
                count = int(rng.integers(1, most + 1)) if used else 0
                rows.append([p.participant_id, w, service, int(used), count])
    return rows
