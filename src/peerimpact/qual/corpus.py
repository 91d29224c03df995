"""The corpus: transcripts read from ``.txt`` or ``.docx``, linked to participants, with speaker turns."""

from __future__ import annotations

import re

import pandas as pd

from ..errors import UserInputError
from ..study.model import Study
from ..study.transcripts import read_transcript

__all__ = ["DEFAULT_TURN_PATTERN", "corpus_table", "read_transcript", "speaker_turns", "turn_of"]

#: Default speaker-turn marker: ``Interviewer:`` or ``PW:`` at the start of a line.
DEFAULT_TURN_PATTERN = r"^(?P<speaker>Interviewer|PW)[ \t]*:[ \t]*"


def speaker_turns(text: str, pattern: str = DEFAULT_TURN_PATTERN) -> pd.DataFrame:
    """Split a transcript into speaker turns.

    A turn starts where ``pattern`` matches at the start of a line (multiline
    mode) and runs to the next turn. ``pattern`` must define a group named
    ``speaker``. Text before the first marker is a turn with speaker ``None``
    (omitted when blank).

    Returns
    -------
    DataFrame
        ``turn`` (0-based), ``speaker``, ``start``, ``end`` (code points; the
        marker included), ``text_start`` (after the marker) and ``text``.

    Examples
    --------
    >>> speaker_turns("Interviewer: Hello\\nPW: Hi there\\n")[["speaker", "start", "end", "text"]].values.tolist()
    [['Interviewer', 0, 19, 'Hello'], ['PW', 19, 32, 'Hi there']]
    """
    try:
        rx = re.compile(pattern, re.MULTILINE)
    except re.error as exc:
        raise UserInputError(f"speaker pattern {pattern!r} is not a valid regular expression: {exc}") from None
    if "speaker" not in rx.groupindex:
        raise UserInputError(f"speaker pattern {pattern!r} must have a group named 'speaker', e.g. (?P<speaker>PW|Interviewer)")
    matches = list(rx.finditer(text))
    rows: list[tuple[str | None, int, int, int]] = []
    if not matches or matches[0].start() > 0:
        end = matches[0].start() if matches else len(text)
        if text[:end].strip():
            rows.append((None, 0, end, 0))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        rows.append((m.group("speaker"), m.start(), end, m.end()))
    return pd.DataFrame(
        [
            {"turn": i, "speaker": sp, "start": s, "end": e, "text_start": ts, "text": text[ts:e].strip()}
            for i, (sp, s, e, ts) in enumerate(rows)
        ],
        columns=["turn", "speaker", "start", "end", "text_start", "text"],
    )


def corpus_table(study: Study) -> pd.DataFrame:
    """One row per transcript: ``interview_id, site, participant_id, timepoint, n_characters, sha256, file``.

    Rows are ordered by participant, then timepoint (study order).
    """
    order = {t: i for i, t in enumerate(study.definition.timepoint_ids)}
    rows = [
        {
            "interview_id": t.interview_id,
            "site": t.site,
            "participant_id": t.participant_id,
            "timepoint": t.timepoint,
            "n_characters": len(t.text),
            "sha256": t.sha256,
            "file": t.file,
        }
        for t in study.transcripts.values()
    ]
    frame = pd.DataFrame(rows, columns=["interview_id", "site", "participant_id", "timepoint", "n_characters", "sha256", "file"])
    if len(frame):
        frame = frame.assign(_o=frame["timepoint"].map(order)).sort_values(["participant_id", "_o", "interview_id"]).drop(columns="_o")
    return frame.reset_index(drop=True)


def turn_of(turns: pd.DataFrame, position: int) -> str | None:
    """Speaker of the turn containing code point ``position`` (``None`` if unmarked)."""
    hit = turns[(turns["start"] <= position) & (turns["end"] > position)]
    return None if hit.empty else hit["speaker"].iloc[0]
