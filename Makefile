.PHONY: run test lint bench fuzz eval clean

run:  ## set up, ingest the bundled demo corpus into SQLite and show what was found
	bash scripts/run.sh

test:  ## install everything the tests need, start PostgreSQL, run ruff, mypy and pytest
	bash scripts/test.sh

lint:
	.venv/bin/ruff check src tests scripts bench && .venv/bin/mypy

bench:  ## throughput and memory of analyze and ingest on real text (../shared/datasets; --corpus worst: generated)
	.venv/bin/python bench/bench_pipeline.py

fuzz:  ## a long mutation-fuzzing run of every parser of hostile input (>= 1M inputs, crashes saved)
	nice -n 19 .venv/bin/python scripts/fuzz.py --out fuzz-crashes

clean:
	rm -rf .venv birlik.db birlik.db-wal birlik.db-shm
