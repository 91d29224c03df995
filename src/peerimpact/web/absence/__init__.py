"""Sickness-absence spells in the web app's database (study format version 2's ``absence.csv``).

A Django app of its own (with its own migrations), so that storing spells
touches no migration of the records app. ``db import-study`` stores a study's
spells and ``db export-study`` writes them back, so a study goes through the
database without losing them.
"""
