FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN useradd --create-home --uid 1000 semaforo
COPY pyproject.toml README.md ./
COPY triage ./triage
COPY core ./core
COPY classifier ./classifier
COPY accounts ./accounts
COPY brands ./brands
COPY comments ./comments
COPY cases ./cases
COPY replies ./replies
COPY crisis ./crisis
COPY outbound ./outbound
COPY demo ./demo
RUN pip install .
COPY . .
# A throwaway key for this one command: production refuses a weak one.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R semaforo /app
USER semaforo

EXPOSE 8000
CMD ["gunicorn", "triage.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
