import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "study"))

from study_fixtures import tiny_study  # noqa: E402,F401  (fixture)
