"""Database layer: models, engine/schema management, repository (upserts), seed data."""
