"""Mirror an initiative's data values incrementally, with a read-only API token.

    python examples/sync.py https://ci.example.org cradle-to-career   # token in CI_API_TOKEN

The first run reads every value; each later run reads only what changed since the previous one
(`updated_since`, following cursor pages), and drops the values that were cleared since (the
audit trail's `delete` entries). The state (the mirror and where to resume) is a JSON file.
Only the Python standard library is needed.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

# A value written in a transaction that commits a moment after a sync has read past its
# `updated_at` would be missed: each run starts a little before the previous one ended.
OVERLAP = timedelta(minutes=5)


def get(url: str, token: str) -> dict:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"Not a web address: {url}")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) only, checked above
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return json.load(response)


def rows(url: str, token: str):
    """Every row of a collection, page after page (`next` links until there is none)."""
    while url:
        page = get(url, token)
        yield from page["results"]
        url = page["next"]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _since(last: str | None) -> str | None:
    return None if last is None else (moment(last) - OVERLAP).isoformat()


def cell(row: dict) -> str:
    """A value's identity: measure, period, organisation and breakdown cell."""
    return "|".join(
        str(row[k]) for k in ("measure", "period", "organization_id", "breakdown_1", "breakdown_2")
    )


def sync(base_url: str, slug: str, token: str, state: dict | None = None) -> dict:
    """One run: returns the new state {"values": {cell: row}, "values_since": …, "audit_since": …}."""
    state = state or {"values": {}, "values_since": None, "audit_since": None}
    api = f"{base_url.rstrip('/')}/api/v1/initiatives/{slug}/"

    query = {"ordering": "updated_at", "page_size": 1000}
    if since := _since(state["values_since"]):
        query["updated_since"] = since
    for row in rows(api + "values/?" + urllib.parse.urlencode(query), token):
        state["values"][cell(row)] = row  # upsert: a value seen again is simply replaced
        state["values_since"] = row["updated_at"]  # ordered by updated_at: the newest so far

    query = {"action": "delete", "ordering": "at", "page_size": 1000}
    if since := _since(state["audit_since"]):
        query["since"] = since
    for entry in rows(api + "audit/?" + urllib.parse.urlencode(query), token):
        key = cell(entry)
        kept = state["values"].get(key)
        # Cleared, unless entered again after the clearing.
        if kept is not None and moment(kept["updated_at"]) <= moment(entry["at"]):
            del state["values"][key]
        state["audit_since"] = entry["at"]
    return state


def main(argv: list[str]) -> int:
    if len(argv) != 3 or "CI_API_TOKEN" not in os.environ:
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(f"mirror-{argv[2]}.json")
    state = json.loads(path.read_text()) if path.exists() else None
    state = sync(argv[1], argv[2], os.environ["CI_API_TOKEN"], state)
    path.write_text(json.dumps(state, indent=1))
    print(f"{len(state['values'])} values mirrored in {path}, up to {state['values_since']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
