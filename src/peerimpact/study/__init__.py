"""Study folder format v1: definition, tables, loader and validator."""

from .definition import StudyDefinition
from .load import load_study
from .model import Study, StudyParts, StudySource, Transcript

__all__ = ["Study", "StudyDefinition", "StudyParts", "StudySource", "Transcript", "load_study"]
