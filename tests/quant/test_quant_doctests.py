"""Run the examples in the quantitative modules' docstrings."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["peerimpact.quant.rstats", "peerimpact.quant.disclosure"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
