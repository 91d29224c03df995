"""Instrument library: questionnaires and service-use schedules as YAML data.

>>> from peerimpact.instruments import load_instruments
>>> wemwbs = load_instruments()["wemwbs"]
>>> wemwbs.item_column("3"), wemwbs.outcome_ids()
('wemwbs_3', ['wemwbs.total'])
>>> load_instruments()["swemwbs"].item_column("3")
'wemwbs_3'
"""

from .load import load_instruments, parse_instrument, shipped_instruments
from .schema import Cutoff, InstrumentDefinition, Item, MeaningfulChange, Service, Subscale

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
