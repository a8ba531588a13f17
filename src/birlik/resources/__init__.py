"""Reference data the project owns: gazetteer, ethnic groups, lexicons."""
