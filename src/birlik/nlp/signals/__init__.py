"""Document-level signals: incident type, topics of the Concept, sentiment."""
