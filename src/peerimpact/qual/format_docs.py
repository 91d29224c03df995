"""The qualitative files' sections of ``docs/study-format.md``, generated from their models.

``qual/codebook.yaml``, ``qual/memos.yaml`` and coding sheets are qual/'s formats, so their
documentation lives here and is registered with the generator in :mod:`peerimpact.study.docs`
(which, a layer below, cannot import qual/).
"""

from __future__ import annotations

from pydantic import BaseModel

from ..study.docs import model_doc, model_table, register_section
from .codebook import Change, Code, Codebook, Theme, Version
from .memos import Memo, Memos, MemoTarget
from .spreadsheet import MEMO_KIND, SEGMENT_PREFIX, SHEET_COLUMN_HELP


def qual_sections() -> list[str]:
    """``qual/codebook.yaml``, ``qual/memos.yaml`` and coding sheets, from their models."""
    out = ["", "## qual/codebook.yaml (optional)", "", CODEBOOK_INTRO, ""]
    out += model_table(Codebook)
    for model in (Code, Theme, Version, Change):
        out += _model_section(model)
    out += ["", "Example:", "", "```yaml", CODEBOOK_EXAMPLE.rstrip(), "```"]
    out += ["", "## qual/memos.yaml (optional)", "", MEMOS_INTRO, ""]
    out += model_table(Memos)
    for memo_model in (Memo, MemoTarget):
        out += _model_section(memo_model)
    out += ["", "Example:", "", "```yaml", MEMOS_EXAMPLE.rstrip(), "```"]
    out += ["", "## Coding sheets (`peerimpact qual import-codings`)", "", SHEET_INTRO.format(prefix=SEGMENT_PREFIX, kind=MEMO_KIND), ""]
    out += ["| column | meaning |", "|---|---|"] + [f"| `{c}` | {h} |" for c, h in SHEET_COLUMN_HELP.items()]
    return out


CODEBOOK_INTRO = """\
The coding framework: codes (a hierarchy through `parent`), themes gathering codes, and the version
history. Without this file, every code used in `qual/codings.csv` is a code of its own. Unknown keys
are errors; problems name the line. Ids follow the id rule above and are unique; every `parent`
and every code a theme names exists; the hierarchy has no cycles; the changes of `versions`,
replayed from version 1, give the listed codes. `peerimpact qual versions STUDY` lists the history
and `peerimpact qual migrate STUDY` the codings a change leaves to recode."""

CODEBOOK_EXAMPLE = """\
version: 2
codes:
  - {id: being_valued, name: Being valued by the team, origin: deductive}
  - {id: tokenism, name: Feeling like a token, origin: inductive, parent: being_valued}
  - {id: supervision, name: Supervision, colour: "#7570b3"}
themes:
  - {id: feeling_valued, name: Feeling valued, valence: positive, codes: [being_valued]}
versions:
  - version: 1
    changes:
      - {action: added, code: being_valued}
      - {action: added, code: supervision}
  - version: 2
    date: 2020-06-01
    reason: Tokenism came up in the first interviews
    changes:
      - {action: added, code: tokenism}
"""

MEMOS_INTRO = """\
Memos: typed, authored notes on a code, a theme, a transcript or a coded segment. Memo ids are
unique and every target exists."""

MEMOS_EXAMPLE = """\
memos:
  - id: M01
    target: {type: code, id: being_valued}
    kind: interpretive
    author: coder_a
    date: 2020-06-25
    text: Being valued is told through small acts of inclusion.
"""

SHEET_INTRO = """\
Codings kept in a spreadsheet (CSV or `.xlsx`, the first sheet unless `--sheet` names one) are merged
into `qual/codings.csv` by `peerimpact qual import-codings SHEET --into STUDY`: one row per coded
quote. Header case and spaces do not matter. Each quote is found in its transcript exactly, else
ignoring whitespace, quote marks and dashes (`"` and `“”`, `'` and `’`, `-` and `–—`, `...` and `…`);
with `quote_start` and `quote_end` the coded span runs from the start words to the nearest following
end words. A quote not found, or found more than once, is reported with its row (header = row 1) and
nothing is written, unless `--accept-loss` (then the rows not placed are listed on stdout). A span
already coded reuses its `segment_id`; a new one gets `{prefix}0001`, `{prefix}0002` ...; new rows
carry the codebook's current `version` and the coded `quote`; a coding already in the study is not
added twice. Memos become `{kind}` memos on the segment. Replaced files are copied to
`STUDY/.peerimpact-backup/` first."""


def _model_section(model: type[BaseModel]) -> list[str]:
    return ["", f"### {model.__name__}", "", model_doc(model), "", *model_table(model)]


register_section("qual", qual_sections, order=10)
