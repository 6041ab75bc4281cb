"""Shared test harnesses (fixtures and builders) used by several test packages."""
