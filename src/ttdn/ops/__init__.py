"""Keeping a hub or a border-site node running for years: backups that restore and can be verified without
restoring, with the retention the worker applies."""
