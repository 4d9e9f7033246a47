"""TTĐN: the foreign-information database for Vietnam's border areas (hub and border-site nodes)."""

__version__ = "0.1.0"
