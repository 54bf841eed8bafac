"""Persistence: peewee models, the database connection and migrations, repositories of domain objects."""
