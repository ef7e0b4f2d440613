"""A partner's values on their way in: one path for the grid, files and the bulk API.

- `pipeline`: load → check → write. Every channel calls `save` / `rows_save` (or their previews);
  every check (lock, window, open cells, value rules, comments, required-on-submit) runs there once.
- `validation`: the pure rules a single value must meet, shared by every channel.
- `importer`: reads a CSV or Excel file into rows for the pipeline; it checks nothing itself.
- `writer`: the bulk INSERT / UPDATE of values and audit rows the pipeline ends with.
"""
