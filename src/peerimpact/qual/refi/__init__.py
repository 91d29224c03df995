"""REFI-QDA 1.5 exchange (``.qdpx`` projects, ``.qdc`` codebooks)."""

from .export import export_qdc, export_qdpx
from .import_ import DataLossReport, QualImport, import_qdpx
from .inspect_ import Inspection, check_template_target, inspect_qdpx, read_source_map, sources_template
from .into import ImportLossError, ImportSummary, import_qdc_into, import_qdpx_into
from .qdc import import_qdc

__all__ = [
    "DataLossReport", "ImportLossError", "check_template_target", "ImportSummary", "Inspection", "QualImport", "export_qdc", "export_qdpx",
    "import_qdc", "import_qdc_into", "import_qdpx", "import_qdpx_into", "inspect_qdpx", "read_source_map", "sources_template",
]
