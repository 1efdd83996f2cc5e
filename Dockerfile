# Container image for `idgov serve`. Stateless: all state lives in DATABASE_URL, so run as
# many replicas as you like behind a load balancer on PostgreSQL.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY dialogs dialogs
COPY knowledge knowledge
COPY storage storage
COPY manifest manifest
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 idgov
COPY --from=build /install /usr/local
USER idgov
WORKDIR /home/idgov
ENV PYTHONUNBUFFERED=1
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3978/healthz').status == 200 else 1)"
ENTRYPOINT ["idgov"]
CMD ["serve", "--host", "0.0.0.0", "--port", "3978"]
