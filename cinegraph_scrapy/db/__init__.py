"""Database layer: models, engine and schema (migrations), page writes (writes.py: one interface, a generic and a
PostgreSQL implementation), read-side change records (changes.py), retries and seed data."""
