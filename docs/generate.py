"""Regenerate every generated document: ``make docs`` runs this.

Each entry names a file, the markers around its generated part (``None``: the
whole file) and the function producing it. ``tests/test_generated_docs.py``
checks every entry, so a document that drifts from the code fails the suite.
Run from the repository root: ``.venv/bin/python docs/generate.py`` (``--check``
only reports).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def study_format() -> str:
    from peerimpact.study.docs import render

    return render()


def results_schema() -> str:
    from peerimpact.quant.schema import render_markdown

    return render_markdown()


def instruments_schema() -> str:
    from peerimpact.instruments.docs import schema_markdown

    return schema_markdown()


def mapping_reference() -> str:
    from peerimpact.formats.mapping_docs import reference_markdown

    return reference_markdown()


def web_api() -> str:
    from peerimpact.web import server

    with tempfile.TemporaryDirectory(prefix="peerimpact-docs-") as tmp:
        server.configure(Path(tmp))
        from peerimpact.web.api_docs import api_markdown

        return api_markdown()


Markers = tuple[str, str] | None
GENERATED: list[tuple[str, Markers, Callable[[], str]]] = [
    ("docs/study-format.md", None, study_format),
    ("docs/results-schema.md", None, results_schema),
    ("docs/instruments.md", ("<!-- schema:start -->\n", "<!-- schema:end -->"), instruments_schema),
    ("docs/mapping.md", ("<!-- reference:start -->\n", "<!-- reference:end -->"), mapping_reference),
    ("docs/web.md", ("<!-- api:start -->\n", "<!-- api:end -->"), web_api),
]


def expected_text(current: str, markers: Markers, generated: str) -> str:
    """``current`` with its generated part replaced by ``generated``."""
    if markers is None:
        return generated
    start, end = markers
    head, rest = current.split(start, 1)
    _, tail = rest.split(end, 1)
    return head + start + generated + end + tail


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    verdicts = []
    for rel, markers, produce in GENERATED:
        path = REPO / rel
        current = path.read_text(encoding="utf-8")
        wanted = expected_text(current, markers, produce())
        if wanted != current:
            stale.append(rel)
            verdicts.append(("stale: " if check else "regenerated: ") + rel)
            if not check:
                path.write_text(wanted, encoding="utf-8", newline="\n")
        else:
            verdicts.append("current: " + rel)
    # one line per document, so a caller can tell a current document from a run that never reached it
    for line in verdicts:
        print(line, file=sys.stderr)
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
