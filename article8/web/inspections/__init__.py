"""Inspection pages."""
