"""Contributions (kept so that ``from dipontology.contrib import ...`` goes on working): the CSV sheets, their
conversion to RDF, and accepting a contribution into a data folder the user owns live in the package
:mod:`dipontology.contribution`.
"""
from __future__ import annotations

from .contribution.accept import SHARED_FILES, Accepted, accept, recover
from .contribution.convert import Converted, convert, convert_csv, load_contribution, mint_statement_iris
from .contribution.sheets import COLUMNS, SHEETS, Column, Sheet, column_for_path, columns_markdown, template

__all__ = ["Column", "COLUMNS", "Sheet", "SHEETS", "template", "convert", "convert_csv", "Converted", "accept",
           "Accepted", "column_for_path", "columns_markdown", "load_contribution", "recover", "SHARED_FILES",
           "mint_statement_iris"]
