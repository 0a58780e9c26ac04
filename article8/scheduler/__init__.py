"""The APScheduler process and its job functions; every job calls a service function."""
