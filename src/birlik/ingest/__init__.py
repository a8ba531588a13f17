"""Ingestion workflow: connectors → pipeline → store, with quarantine and deduplication."""
