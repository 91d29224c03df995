"""Full-text search across transcripts (SQLite FTS5), with quotes, ids and context.

The index is built on demand and kept in a cache folder (default
``STUDY/.peerimpact-cache/``). Each line of a transcript (a speaker turn or
paragraph) is one passage. On every search the index is brought up to date
by comparing each transcript's SHA-256 with the one indexed, so it never
returns text that is no longer in the study.

Queries use FTS5 syntax: words (all must occur), ``"a phrase"``, ``OR``,
``NOT``, prefixes (``valu*``) and ``NEAR(a b, 5)``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Literal

import pandas as pd

from ..errors import UserInputError
from ..study.model import Study

SCHEMA_VERSION = 1
CACHE_DIR = ".peerimpact-cache"
INDEX_FILE = f"search-v{SCHEMA_VERSION}.sqlite"
RESULT_COLUMNS = [
    "interview_id", "site", "participant_id", "timepoint", "start", "end", "quote", "snippet", "before", "after", "rank",
]
CONTEXT_CHARS = 200


@dataclass(frozen=True)
class Document:
    interview_id: str
    sha256: str
    text: str
    site: str = ""
    participant_id: str = ""
    timepoint: str = ""


def passages(text: str) -> Iterator[tuple[int, int, str]]:
    """Non-blank lines of ``text`` as ``(start, end, line)`` in code points.

    >>> list(passages("PW: one\\n\\nPW: two"))
    [(0, 7, 'PW: one'), (9, 16, 'PW: two')]
    """
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            yield pos, pos + len(line), line
        pos += len(line) + 1


class SearchIndex:
    """An FTS5 index of transcripts stored in one SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path)
        self.conn.executescript(
            f"""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
            INSERT OR IGNORE INTO meta VALUES ('schema', '{SCHEMA_VERSION}');
            CREATE TABLE IF NOT EXISTS docs (
                interview_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL,
                site TEXT, participant_id TEXT, timepoint TEXT);
            CREATE TABLE IF NOT EXISTS passages (
                id INTEGER PRIMARY KEY, interview_id TEXT NOT NULL,
                start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS passages_doc ON passages (interview_id);
            CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
                text, content='passages', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
            """
        )

    @classmethod
    def for_study(cls, study: Study, cache_dir: str | Path | None = None) -> "SearchIndex":
        """The index of ``study`` in ``cache_dir`` (default ``STUDY/.peerimpact-cache``)."""
        if cache_dir is None:
            if study.root is None:
                raise UserInputError("this study has no folder: give a cache folder for the search index (--cache-dir)")
            cache_dir = Path(study.root) / CACHE_DIR
        return cls(Path(cache_dir) / INDEX_FILE)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "SearchIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ building
    def sync(self, documents: Iterable[Document]) -> int:
        """Add, replace or drop documents so the index holds exactly ``documents``.

        Returns the number of documents (re)indexed.
        """
        indexed = dict(self.conn.execute("SELECT interview_id, sha256 FROM docs"))
        docs = list(documents)
        wanted = {d.interview_id for d in docs}
        changed = [d for d in docs if indexed.get(d.interview_id) != d.sha256]
        gone = [iid for iid in indexed if iid not in wanted]
        if not changed and not gone:
            return 0
        with self.conn:
            for iid in gone + [d.interview_id for d in changed if d.interview_id in indexed]:
                self._drop(iid)
            for d in changed:
                self._add(d)
        return len(changed)

    def _drop(self, iid: str) -> None:
        self.conn.execute(
            "INSERT INTO passages_fts (passages_fts, rowid, text) SELECT 'delete', id, text FROM passages WHERE interview_id = ?",
            (iid,),
        )
        self.conn.execute("DELETE FROM passages WHERE interview_id = ?", (iid,))
        self.conn.execute("DELETE FROM docs WHERE interview_id = ?", (iid,))

    def _add(self, d: Document) -> None:
        self.conn.execute(
            "INSERT INTO docs VALUES (?, ?, ?, ?, ?)", (d.interview_id, d.sha256, d.site, d.participant_id, d.timepoint)
        )
        cur = self.conn.executemany(
            'INSERT INTO passages (interview_id, start, "end", text) VALUES (?, ?, ?, ?)',
            ((d.interview_id, s, e, t) for s, e, t in passages(d.text)),
        )
        del cur
        self.conn.execute(
            "INSERT INTO passages_fts (rowid, text) SELECT id, text FROM passages WHERE interview_id = ?", (d.interview_id,)
        )

    def bulk_add(self, documents: Iterable[Document]) -> int:
        """Index many new documents in one transaction (for a fresh index; no staleness check)."""
        n = 0
        with self.conn:
            for d in documents:
                self.conn.execute(
                    "INSERT INTO docs VALUES (?, ?, ?, ?, ?)", (d.interview_id, d.sha256, d.site, d.participant_id, d.timepoint)
                )
                self.conn.executemany(
                    'INSERT INTO passages (interview_id, start, "end", text) VALUES (?, ?, ?, ?)',
                    ((d.interview_id, s, e, t) for s, e, t in passages(d.text)),
                )
                n += 1
            self.conn.execute("INSERT INTO passages_fts (passages_fts) VALUES ('rebuild')")
        return n

    def optimize(self) -> None:
        """Merge the index into one b-tree (faster queries after a bulk build)."""
        with self.conn:
            self.conn.execute("INSERT INTO passages_fts (passages_fts) VALUES ('optimize')")

    # ------------------------------------------------------------ querying
    def query(
        self,
        q: str,
        limit: int = 20,
        order: Literal["rank", "document"] = "document",
        phrase: bool = False,
    ) -> pd.DataFrame:
        """Passages matching ``q``.

        Parameters
        ----------
        q : str
            FTS5 query (or a literal phrase with ``phrase=True``).
        limit : int
            Maximum number of passages.
        order : {"document", "rank"}
            Interview and position order (the default: fast whatever the
            number of matches, since matching stops after ``limit``), or best
            matches first by BM25 (every match must be scored, so very common
            words are slow).

        Returns
        -------
        DataFrame
            :data:`RESULT_COLUMNS`: interview and its attributes, the passage
            span ``[start, end)`` in code points of the normalised transcript,
            the passage as ``quote``, an FTS5 ``snippet`` with the matches in
            ``[...]``, up to 200 characters of the passages ``before`` and
            ``after`` (same interview), and ``rank`` (BM25, lower is better;
            NaN in document order, where it is not computed).

        Raises
        ------
        UserInputError
            For an empty or malformed query, or a bad limit or order.
        """
        if not q.strip():
            raise UserInputError("the search query is empty")
        if limit < 1:
            raise UserInputError(f"limit must be at least 1, not {limit}")
        if order not in ("rank", "document"):
            raise UserInputError(f"order must be rank or document, not {order!r}")
        if phrase:
            q = '"' + q.replace('"', '""') + '"'
        # Two steps: find the passages (no snippets: FTS5 would build one for every match), then dress the few kept.
        # BM25 needs every match's statistics, so it is only computed when ranking.
        if order == "rank":
            sql = "SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?"
        else:
            sql = "SELECT rowid, NULL FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rowid LIMIT ?"
        try:
            found = self.conn.execute(sql, (q, int(limit))).fetchall()
        except sqlite3.OperationalError as exc:
            raise UserInputError(f"search query {q!r} is not valid: {exc} (put phrases and words with hyphens in double quotes)") from None
        if not found:
            return pd.DataFrame(columns=RESULT_COLUMNS)
        ids = [pid for pid, _ in found]
        marks = ",".join("?" * len(ids))
        # One statement for all snippets, so that a prefix query is expanded once; in document order the kept
        # passages are exactly the matches in their rowid range, which FTS5 seeks to directly.
        if order == "rank":
            where, params = f"rowid IN ({marks})", ids
        else:
            where, params = "rowid BETWEEN ? AND ?", [ids[0], ids[-1]]
        snippets = dict(
            self.conn.execute(
                f"SELECT rowid, snippet(passages_fts, 0, '[', ']', '…', 16) FROM passages_fts WHERE passages_fts MATCH ? AND {where}",
                [q, *params],
            )
        )
        rows = {
            r[0]: r[1:]
            for r in self.conn.execute(
                'SELECT p.id, p.interview_id, p.start, p."end", p.text, d.site, d.participant_id, d.timepoint, '
                "b.text, a.text FROM passages p JOIN docs d ON d.interview_id = p.interview_id "
                "LEFT JOIN passages b ON b.id = p.id - 1 AND b.interview_id = p.interview_id "
                "LEFT JOIN passages a ON a.id = p.id + 1 AND a.interview_id = p.interview_id "
                f"WHERE p.id IN ({marks})",
                ids,
            )
        }
        out = []
        for pid, rank in found:
            iid, s, e, text, site, part, tp, before, after = rows[pid]
            out.append(
                [iid, site, part, tp, s, e, text, snippets[pid],
                 (before or "")[-CONTEXT_CHARS:], (after or "")[:CONTEXT_CHARS], float("nan") if rank is None else rank]
            )
        return pd.DataFrame(out, columns=RESULT_COLUMNS)


def study_documents(study: Study) -> list[Document]:
    return [
        Document(t.interview_id, t.sha256, t.text, t.site, t.participant_id, t.timepoint)
        for t in sorted(study.transcripts.values(), key=lambda t: t.interview_id)
    ]


def search(
    study: Study,
    query: str,
    limit: int = 20,
    cache_dir: str | Path | None = None,
    order: Literal["rank", "document"] = "document",
    phrase: bool = False,
) -> pd.DataFrame:
    """Search the study's transcripts; builds or refreshes the index first (see :class:`SearchIndex`)."""
    with SearchIndex.for_study(study, cache_dir) as index:
        index.sync(study_documents(study))
        return index.query(query, limit=limit, order=order, phrase=phrase)
