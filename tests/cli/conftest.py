from study_fixtures import tiny_study  # noqa: F401  (fixture)
import sys, pathlib; sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "study"))
