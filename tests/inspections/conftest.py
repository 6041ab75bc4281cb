"""Inspection objects, standards and inspectors on the demo taxonomy and geography."""

from tests.complaints import conftest as complaints_conftest

reference_data = complaints_conftest.reference_data
complaints_settings = complaints_conftest.complaints_settings
