"""gunicorn's settings for the web process (read from the working directory: docker-compose.yml,
the Dockerfile and `make loadtest` start gunicorn in the project's root). Command-line options
override them."""

import gc
import multiprocessing
import os

# gunicorn's own advice: 2 × cores + 1 (a slow request then holds one worker of five, not one of three).
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * multiprocessing.cpu_count() + 1)


def post_worker_init(worker):
    """Once the application is loaded: move its objects (Django, the apps, the URL and template
    caches) out of the garbage collector's sight, so that the collections a request triggers scan
    only what requests create. In process, on the load-test data, the grid page's median went from
    81 to 58 ms and the dashboard's from 150 to 101 ms (20 requests each); through HTTP on the
    shared development machine the difference was within its noise (docs/reliability.md)."""
    gc.collect()
    gc.freeze()
