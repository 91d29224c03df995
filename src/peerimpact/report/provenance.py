"""Provenance: what the report was built from, with which software and settings."""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from typing import Any

#: Distributions whose versions are recorded (their numbers can change results).
SOFTWARE = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "python-docx", "jinja2")


@dataclass(frozen=True)
class Provenance:
    """Inputs, software and settings behind a report.

    Attributes
    ----------
    generated_at : str
        ISO 8601 time (UTC) the report was generated; injectable for golden tests.
    software : tuple of (name, version)
        ``peerimpact`` first, then Python and the numerical libraries.
    settings : tuple of (name, value)
        The study settings that shape the numbers.
    inputs : tuple of (path, sha256)
        Every input file of the study folder, relative path and SHA-256.
    """

    generated_at: str
    software: tuple[tuple[str, str], ...]
    settings: tuple[tuple[str, str], ...]
    inputs: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at,
            "software": dict(self.software),
            "settings": dict(self.settings),
            "inputs": dict(self.inputs),
        }


def software_versions() -> tuple[tuple[str, str], ...]:
    from .. import __version__

    out = [("peerimpact", __version__), ("python", platform.python_version())]
    for dist in SOFTWARE:
        try:
            out.append((dist, metadata.version(dist)))
        except metadata.PackageNotFoundError:
            out.append((dist, "not installed"))
    return tuple(out)


def study_settings(study: Any) -> tuple[tuple[str, str], ...]:
    d = study.definition
    return (
        ("timepoints", ", ".join(f"{t.id} (month {t.month:g})" for t in d.ordered_timepoints)),
        ("baseline", d.baseline_id),
        ("comparisons", ", ".join(f"{a} to {b}" for a, b in d.comparison_pairs)),
        ("instruments", ", ".join(d.instruments)),
        ("missing_items_allowed", str(d.missing_items_allowed)),
        ("effect_size_sd", d.effect_size_sd),
        ("change_direction", d.change_direction),
        ("suppress_below", "none" if d.suppress_below is None else str(d.suppress_below)),
        ("norms", d.norms or "shipped defaults" + (" + study norms.yaml" if study.norms else "")),
        ("synthetic", "yes" if d.synthetic else "no"),
    )


def build_provenance(study: Any, generated_at: datetime | None = None) -> Provenance:
    """Collect provenance for ``study``.

    Parameters
    ----------
    generated_at : datetime, optional
        Defaults to now (UTC). Pass a fixed time for reproducible output.
    """
    when = generated_at or datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    stamp = when.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    hashes = tuple(sorted((str(k), str(v)) for k, v in (study.source.file_hashes or {}).items()))
    return Provenance(stamp, software_versions(), study_settings(study), hashes)
