"""The public portal on the hub: anonymous pages, Atom and JSON feeds of public, live material.

Everything shown comes from the one visibility rule (content.permissions) as seen by an anonymous visitor.
"""
