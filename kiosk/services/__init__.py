"""Use cases: each is one transaction, checks who may do it, and returns domain objects."""
