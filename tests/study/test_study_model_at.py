"""study.yamlio.model_at: the one lookup of the model owning a key path (study, instrument and mapping files)."""

from __future__ import annotations

from typing import Optional

import pytest
from pydantic import BaseModel, Field


class Leaf(BaseModel):
    x: int = 0


class Branch(BaseModel):
    leaf: Optional[Leaf] = None
    from_: Optional[Leaf] = Field(default=None, alias="from")


class Root(BaseModel):
    branch: Branch = Branch()
    branches: list[Branch] = []
    by_name: dict[str, list[Leaf]] = {}
    count: int = 0


@pytest.mark.parametrize(
    "path, expected",
    [
        ((), Root),
        (("branch",), Branch),
        (("branch", "leaf"), Leaf),
        (("branches", 3), Branch),
        (("branches", 3, "leaf"), Leaf),
        (("by_name", "anything", 0), Leaf),
        (("branch", "from"), Leaf),  # by alias
        (("count",), None),  # a plain value owns no keys
        (("count", "deeper"), None),
        (("branch", "Branch", "leaf"), Leaf),  # a union tag in a pydantic location is passed over
    ],
    ids=["root", "field", "optional", "list-index", "list-then-field", "dict-key", "alias", "scalar", "below-scalar", "union-tag"],
)
def test_model_at(path, expected):
    from peerimpact.study.yamlio import model_at

    assert model_at(Root, path) is expected


def test_model_at_of_nothing():
    from peerimpact.study.yamlio import model_at

    assert model_at(None, ("a",)) is None
