"""Fixtures of the demo tests: the generated files of the default seed, built once."""

from __future__ import annotations

import pytest

from peerimpact.demo import make_study


@pytest.fixture(scope="session")
def files() -> dict[str, str]:
    return make_study()


@pytest.fixture(scope="session")
def wide(files):
    from demo_helpers import scores

    return scores(files)
