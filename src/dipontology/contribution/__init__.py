"""Contributions: a researcher's spreadsheet or RDF file, converted, checked against the published graph and accepted
into a data folder the user owns.

* :mod:`dipontology.contribution.checks` -- what a contribution must satisfy beyond the shapes (called by
  :mod:`dipontology.validate`).
"""
