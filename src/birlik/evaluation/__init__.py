"""Quality measured on the shared annotated datasets (``birlik eval``)."""
