"""Instrument library: questionnaires and service-use schedules as YAML data.

>>> from peerimpact.instruments import load_instruments
>>> wemwbs = load_instruments()["wemwbs"]
>>> wemwbs.item_column("3"), wemwbs.outcome_ids()
('wemwbs_3', ['wemwbs.total'])
>>> load_instruments()["swemwbs"].item_column("3")
'wemwbs_3'
"""

from ..study.stages import register_instrument_source
from .load import load_instruments, parse_instrument, shipped_instruments
from .schema import Cutoff, InstrumentDefinition, Item, MeaningfulChange, Service, Subscale

# The study loader reads a study's instruments through this (study/ cannot import instruments/).
register_instrument_source(load_instruments)

__all__ = [
    "Cutoff",
    "InstrumentDefinition",
    "Item",
    "MeaningfulChange",
    "Service",
    "Subscale",
    "load_instruments",
    "parse_instrument",
    "shipped_instruments",
]
