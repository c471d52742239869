"""The Dagster instance configurations (package data): the embedded SQLite default and PostgreSQL."""
