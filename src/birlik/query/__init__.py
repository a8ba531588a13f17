"""The one query layer over the store, shared by the web, the CLI, the report and the exports:
a reader's region scope (``scope``), the document filters (``filters``), full-text and semantic search and the
list and dashboard queries (``queries``), stories as a scope lets them be seen (``stories``),
counts and export rows of a search (``search_results``), and the plans that make each backend's
engine answer fast (``fts_plan``)."""
