"""Local only: training, suggestion and evaluation run with every network connection refused."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from peerimpact.qual.suggest import suggest, suggest_eval, train
from suggest_helpers import demo_slice


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to connect or resolve a name fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise NetworkUsed(f"network access attempted: {args!r}")

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
    assert attempts == []


def test_guard_works(no_network):
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.org", 80))
    no_network.clear()


def test_suggest_and_eval_offline(no_network, demo_study):
    small = demo_slice(demo_study, 8)
    first = sorted(small.transcripts)[0]
    uncoded = dataclasses.replace(small, codings=small.codings[small.codings["interview_id"] != first].reset_index(drop=True))
    model = train(uncoded)
    assert len(suggest(uncoded, model=model, interviews=[first]).suggestions) > 0
    result = suggest_eval(small)
    assert result.table.iloc[-1]["kappa"] > 0
