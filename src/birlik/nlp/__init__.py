"""Pure analysis stages over batches of documents: no I/O, no global state."""
