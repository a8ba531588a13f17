"""Scale out: ``birlik backfill`` and ``birlik reprocess`` on Dask distributed, into PostgreSQL.

Above ``ingest``, ``stories`` and ``signals`` (it runs their code on partitions), below ``cli``;
no lower layer imports it.
"""
