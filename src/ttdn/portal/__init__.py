"""The public portal on the hub: anonymous pages, Atom and JSON feeds, ninjs, CAP 1.2 alerts and webhooks.

Everything shown or sent comes from the one visibility rule (content.permissions) as seen by an anonymous visitor.
"""
