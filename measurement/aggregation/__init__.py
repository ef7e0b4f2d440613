"""Approved values turned into the shared figures a dashboard shows.

- `rules`: the aggregation rules as a readable specification in Python (sum, mean, weighted mean,
  breakdown totals); the reference the SQL is tested against.
- `sql`: the same rules as one INSERT … SELECT, run by the database where it can.
- `runs`: the engine: aggregate runs (full rebuilds, incremental updates), which rules run where.
- `completeness`: when a period's figures are complete enough to be a headline.
"""
