"""Telling residents what happened to their report: message text and SMS delivery backends."""
