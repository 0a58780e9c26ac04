"""Incident pages."""
