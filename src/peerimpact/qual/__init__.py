"""Qualitative analysis: corpus, versioned codebook, codings, memos, queries, agreement, exchange, search.

Everything reads from a :class:`peerimpact.Study`::

    from peerimpact import load_study
    from peerimpact import qual

    study = load_study("demo-output/study")
    qual.quotes(study, theme="feeling_valued", timepoint="T2")
    qual.code_matrix(study, by="timepoint", count="participants")
    qual.agreement(study).pairs
    qual.export_qdpx(study, "project.qdpx")
"""

from .agreement import AgreementResult, agreement
from .codebook import Code, Codebook, Theme, Version, dump_codebook, parse_codebook
from .codings import QualData, codebook_of, coded_segments, qual_data, validate_qual
from .corpus import corpus_table, read_transcript, speaker_turns
from .memos import Memo, Memos, dump_memos, parse_memos
from .queries import code_matrix, cooccurrence, framework_matrix, framework_wide, quotes
from .refi import DataLossReport, ImportSummary, QualImport, export_qdc, export_qdpx, import_qdpx, import_qdpx_into
from .search import SearchIndex, search
from .versions import MigrationResult, migrate_codings

__all__ = [
    "AgreementResult", "Code", "Codebook", "DataLossReport", "ImportSummary", "Memo", "Memos", "MigrationResult",
    "QualData", "QualImport", "SearchIndex", "Theme", "Version",
    "agreement", "code_matrix", "codebook_of", "coded_segments", "cooccurrence", "corpus_table", "dump_codebook",
    "dump_memos", "export_qdc", "export_qdpx", "framework_matrix", "framework_wide", "import_qdpx", "import_qdpx_into",
    "migrate_codings", "parse_codebook", "parse_memos", "qual_data", "quotes", "read_transcript", "search", "speaker_turns", "validate_qual",
]
