"""Shared kernel: settings, database, time, users and roles, the audit trail.

Imports no Flask and no sibling package.
"""
