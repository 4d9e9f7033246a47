"""Agencies (an org tree with validity dates and successors), users, roles and two-factor login.

Also holds the permission rules every other app asks: who may see and do what, in which agency.
"""
