"""The examples in the qualitative modules' docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "peerimpact.qual.guids",
    "peerimpact.qual.alpha",
    "peerimpact.qual.agreement",
    "peerimpact.qual.corpus",
    "peerimpact.qual.search",
    "peerimpact.qual.refi.common",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
