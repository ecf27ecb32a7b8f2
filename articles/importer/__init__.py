"""Compilation importer (placeholder until the importer work lands)."""
