# The production image: gunicorn serves the site (whitenoise serves /static/), and the same
# image runs the Celery worker and beat (see docker-compose.yml and docs/deployment.md).
# Workbox, for the data-entry grid's service worker (docs/measurement.md, "Offline data entry"):
# installed as package-lock.json pins it, without the test tools (devDependencies); collectstatic
# below serves its build folders from node_modules (ci_platform/settings.py). No CDN.
FROM node:22-slim AS npm
WORKDIR /npm
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.13-slim

# PYTHONPATH: the source tree in /app comes before the copy that `pip install .` puts in
# site-packages, so BASE_DIR (templates, static, locale) is /app for manage.py, gunicorn and
# celery alike.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    GUNICORN_WORKERS=3

WORKDIR /app

# WeasyPrint's pango and the fonts of the PDF reports: Hebrew in Culmus, Latin in DejaVu
# (communication/pdf.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core culmus \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, in their own layer, read straight from pyproject.toml, so that a code
# change does not reinstall them. `pip install .` below stays the authority.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/dependencies.txt \
    && pip install -r /tmp/dependencies.txt \
    && rm /tmp/dependencies.txt

COPY . .
COPY --from=npm /npm/node_modules ./node_modules
RUN pip install . \
    && rm -rf build *.egg-info

# Build output: compiled translations (.mo) and the hashed, compressed static files.
# The key and database here exist only for these two commands; they are not in the image's
# environment.
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py compiletranslations \
    && SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3

# The code stays owned by root (read-only for the app); the app writes only to the media
# folder, its home (gunicorn keeps its control socket in ~/.gunicorn) and /tmp.
RUN groupadd --gid 1000 app \
    && useradd --uid 1000 --gid app --create-home --home-dir /home/app app \
    && mkdir -p /app/media \
    && chown app:app /app/media
USER app

EXPOSE 8000

CMD ["sh", "-c", "exec gunicorn ci_platform.wsgi:application --bind 0.0.0.0:8000 --access-logfile - --error-logfile -"]
