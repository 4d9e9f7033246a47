"""Administrative units (with their history across the 2025 reorganisation) and border sites.

Units are loaded from maintained data packages; border sites carry the neighbour country and wanted languages.
"""
