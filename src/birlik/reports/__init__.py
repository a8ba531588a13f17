"""The quarterly monitoring report: gathered from the store, worded in kk/ru/en, rendered as
HTML, DOCX or PDF."""
