"""Importers that turn published source files into store observations.

Each importer reads and validates all of its input before it touches the store, so a rejected
import leaves the store exactly as it was. ``police_uk`` reads data.police.uk street-level files.
"""
