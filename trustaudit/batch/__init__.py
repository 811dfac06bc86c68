"""Batch audits for agencies: hundreds of shops, nothing lost (issue #5).

inputs.py   stream shops from a .csv / .txt list, normalise their URLs (the identity of a shop)
shard.py    --shard K/N: a stable slice by hash of the normalised URL
store.py    SQLite (WAL, one writer): runs, one row per finished shop, history
runner.py   schedule the shops, run pipeline.scan and write each shop's JSON + HTML; the main thread commits
pool.py     where scans run: worker processes (default, several scans each) or threads of one process
index.py    summary.csv and index.html, streamed from the database rows
merge.py    combine shard outputs into one database, index and summary
commands.py the Typer commands `batch`, `history`, `merge`
"""
