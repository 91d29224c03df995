"""Mixed-methods synthesis: propositions, the synthesis grid and the joint display.

``load_synthesis(study)`` validates ``synthesis.yaml`` against the study;
``build_grid`` resolves it into numbers (from the analysis results), coverage
and quotes; ``build_joint_display`` crosses themes with timepoints.
"""

from __future__ import annotations

from .grid import GridRow, Quote, SynthesisGrid, build_grid
from .joint_display import JointCell, JointDisplay, build_joint_display
from .model import FITS, Proposition, QualEvidence, QuantEvidence, Synthesis, load_synthesis, parse_synthesis
from .references import StudyReferences

__all__ = [
    "FITS",
    "GridRow",
    "JointCell",
    "JointDisplay",
    "Proposition",
    "QualEvidence",
    "QuantEvidence",
    "Quote",
    "StudyReferences",
    "Synthesis",
    "SynthesisGrid",
    "build_grid",
    "build_joint_display",
    "load_synthesis",
    "parse_synthesis",
]
