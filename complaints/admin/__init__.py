"""Wagtail admin screens of the complaints app (viewsets); wagtail_hooks.py registers them."""
