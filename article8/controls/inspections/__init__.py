"""Periodic inspections: the schedule, the workflow, reminders."""
