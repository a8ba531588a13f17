"""The one query layer over the store, shared by the web, the CLI and the exports: region scope
(``scope``), document filters and full-text and semantic search (``queries``), and the plans
that make each backend's engine answer them fast (``fts_plan``)."""
