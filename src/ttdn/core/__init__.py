"""Shared foundations: the language registry, text normalisation, errors and the audit trail.

Every other app builds on these; nothing here knows about items, plans or sites.
"""
