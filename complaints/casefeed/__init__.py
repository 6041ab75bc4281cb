"""Feeding registered reports to city-management case systems; see docs/casefeed.md."""
