"""The use cases: each opens one unit of work, applies the domain's rules and returns plain values.

Handlers (bot/) and commands (factdesk/) call services; services call the database layer (db/)
through the unit of work; the pure rules in domain/ know neither.
"""
