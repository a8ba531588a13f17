"""Stories: near-duplicates, the same story across outlets and languages, claims.

``minhash`` finds reprints, ``similarity`` scores two documents as one story from their
embeddings, linked entities, numbers and dates, ``clusterer`` assigns stories as documents
arrive inside a sliding time window, ``claims`` reads quantitative statements and finds
discrepancies, ``service`` stores all of it for ingested documents.
"""
