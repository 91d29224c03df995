from study_fixtures import tiny_study  # noqa: F401  (fixture)
