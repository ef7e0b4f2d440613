"""What a steering committee and the public see of the shared measures.

- `readers`: one reader per page (dashboard cards, measure page, by organisation).
- `sql`: the statements the readers run on PostgreSQL.
- `charts`: pure functions from a reader's output to Plotly figures.
- `views`, `forms`: the pages and their filters.
"""
