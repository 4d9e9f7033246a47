"""The database of material: items, their language variants, stored files, topics and the workflow.

Contributed → appraised → approved → published → withdrawn/expired/archived; every step recorded.
"""
