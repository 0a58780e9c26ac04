"""Findings and their corrective actions."""
