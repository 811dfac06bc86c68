# trustaudit in a container: Debian slim + the package built from this repository.
#   docker build -t trustaudit .                          # the command-line tool
#   docker build -t trustaudit:chromium --build-arg WITH_CHROMIUM=1 .   # + Debian's chromium (for --render)
#   docker run --rm trustaudit scan https://myshop.pl
#   docker run --rm -v "$PWD:/work" -w /work trustaudit scan https://myshop.pl -o report.html

FROM python:3.12-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps -w /dist .

FROM python:3.12-slim-bookworm
ARG WITH_CHROMIUM=0
# hadolint ignore=DL3008
RUN if [ "$WITH_CHROMIUM" = "1" ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends chromium \
      && rm -rf /var/lib/apt/lists/*; \
    fi
COPY --from=build /dist /dist
RUN pip install --no-cache-dir /dist/*.whl && rm -rf /dist \
    && useradd --create-home --uid 10001 audit
USER 10001
WORKDIR /home/audit
ENTRYPOINT ["trustaudit"]
CMD ["--help"]
