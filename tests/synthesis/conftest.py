"""Fixtures for the synthesis tests: the small hand-made study, loaded once."""

from __future__ import annotations

import pytest

from synthesis_helpers import write_small_study


@pytest.fixture(scope="session")
def small_study_dir(tmp_path_factory):
    return write_small_study(tmp_path_factory.mktemp("small") / "study")


@pytest.fixture(scope="session")
def small_study(small_study_dir):
    import peerimpact

    return peerimpact.load_study(small_study_dir)


@pytest.fixture(scope="session")
def small_results(small_study):
    import peerimpact
    from peerimpact.report.inputs import ResultsView

    return ResultsView.from_results(peerimpact.analyse(small_study))
