# mirrorscan: CPU-only image. Build: docker build -t mirrorscan .
# Run: docker run -p 8000:8000 -v mirrorscan-data:/data mirrorscan
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false \
    MIRRORSCAN_DATA_DIR=/data MIRRORSCAN_MODELS__SCORER_PATH=/app/models/scorer.json

# g++ builds pdqhash; removed after the install
RUN apt-get update && apt-get install -y --no-install-recommends g++ curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# the CPU build of torch first, from PyTorch's CPU index: PyPI's default is a CUDA build
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
COPY pyproject.toml README.md ./
COPY service ./service
COPY models ./models
COPY demo ./demo
RUN pip install ".[postgres]" && apt-get purge -y g++ && apt-get autoremove -y

RUN useradd --system --uid 10001 --home /data mirrorscan && mkdir -p /data \
    && chown mirrorscan /data
USER mirrorscan
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1

CMD ["mirrorscan", "serve", "--host", "0.0.0.0", "--port", "8000"]
