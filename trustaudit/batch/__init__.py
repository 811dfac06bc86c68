"""Batch audits for agencies: hundreds of shops, nothing lost.

inputs.py   stream shops from a .csv / .txt list, normalise their URLs (the identity of a shop)
shard.py    --shard K/N: a stable slice by hash of the normalised URL
store.py    SQLite (WAL, one writer): runs, one row per finished shop, history
runner.py   schedule the shops; the main thread commits each result
audit.py    one shop: run pipeline.scan and write its JSON + HTML reports
pool.py     where scans run: worker processes (default, several scans each) or threads of one process
index.py    summary.csv and index.html, streamed from the database rows
merge.py    combine shard outputs into one database, index and summary
commands.py the Typer commands `batch`, `history`, `merge`
"""

DEFAULT_CONCURRENCY = 8  # shops audited at once
