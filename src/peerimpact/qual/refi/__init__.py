"""REFI-QDA 1.5 exchange (``.qdpx`` projects, ``.qdc`` codebooks)."""

from .export import export_qdc, export_qdpx
from .import_ import DataLossReport, QualImport, import_qdpx
from .into import ImportSummary, import_qdpx_into

__all__ = ["DataLossReport", "ImportSummary", "QualImport", "export_qdc", "export_qdpx", "import_qdpx", "import_qdpx_into"]
