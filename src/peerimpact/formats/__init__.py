"""Import and export the formats researchers already use: CSV, Excel, SPSS and REDCap.

>>> from peerimpact.formats import import_study, export_study, read_redcap  # doctest: +SKIP

- :func:`import_study` turns source files plus a ``mapping.yaml`` into a
  validated study folder (nothing is written when anything is wrong);
- :func:`export_study` writes a study as ``.sav``, ``.xlsx``, CSVs or a
  REDCap project (dictionary, events, records), each with a mapping that
  imports it back;
- :func:`read_redcap` parses a REDCap dictionary and record export completely.
"""

from .export import EXPORT_FORMATS, export_study
from .importer import import_study
from .mapping import Mapping
from .mapping_load import LoadedMapping, load_mapping
from .readers import FORMATS
from .redcap import RedcapEvent, RedcapField, RedcapProject, RedcapRow, read_redcap
from .report import ImportReport
from .source import SourceTable

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "ImportReport",
    "LoadedMapping",
    "Mapping",
    "RedcapEvent",
    "RedcapField",
    "RedcapProject",
    "RedcapRow",
    "SourceTable",
    "export_study",
    "import_study",
    "load_mapping",
    "read_redcap",
]
