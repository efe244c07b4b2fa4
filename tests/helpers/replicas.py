"""Several ``mirrorscan serve`` processes on one store (``serve_fake``: serve with the fake
encoders), and Debian's haproxy in front of them, on loopback: started, waited for, and stopped
by the replica tests."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.helpers.settings import TEST_SCORER

ROOT = Path(__file__).resolve().parents[2]
# `mirrorscan serve` as it runs, less its refusal of the fake encoders (tests/helpers/serve_fake)
SERVE = [sys.executable, "-m", "tests.helpers.serve_fake"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Replica:
    name: str
    port: int
    data_dir: Path
    log: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [*SERVE, "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 240.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited {self.proc.returncode}: {self.tail()}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.name} not ready after {timeout} s: {self.tail()}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self, timeout: float = 60.0) -> int | None:
        """SIGTERM (uvicorn shuts down, the runtime writes its snapshot); SIGKILL past timeout."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def replica_env(data_dir: Path, api_keys: str, database_url: str | None) -> dict[str, str]:
    """A replica's environment: the fake encoders (these tests are about the store, not the
    models), the pinned test scorer, one OpenMP thread, the given keys and store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIRRORSCAN_")}
    env.update(
        MIRRORSCAN_DATA_DIR=str(data_dir),
        MIRRORSCAN_MODELS__FAKE="true",
        MIRRORSCAN_MODELS__SCORER_PATH=str(TEST_SCORER),
        MIRRORSCAN_API_KEYS=api_keys,
        MIRRORSCAN_WORKERS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        TOKENIZERS_PARALLELISM="false",
    )
    if os.environ.get("MIRRORSCAN_MODELS_DIR"):
        env["MIRRORSCAN_MODELS_DIR"] = os.environ["MIRRORSCAN_MODELS_DIR"]
    if database_url:
        env["MIRRORSCAN_DATABASE_URL"] = database_url
    return env


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema on the test server, dropped afterwards; yields a URL whose connections
    use it (``search_path``), so these tests share nothing with the other store tests."""
    name = f"replicas_{secrets.token_hex(4)}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        admin.dispose()


HAPROXY_CFG = """\
# the retry and health-check policy of deploy/haproxy/haproxy.cfg (compose), on loopback: a
# replica is sent traffic while its /readyz answers 200; a request whose replica refused it,
# died before answering or was not ready is replayed whole on another (buffered first).
global
    maxconn 2000

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 1s
    retries 3
    retry-on conn-failure empty-response 503
    option http-buffer-request
    option redispatch 1

frontend api
    bind 127.0.0.1:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1 observe layer4 error-limit 1 on-error mark-down
{servers}
"""


@dataclass
class Balancer:
    port: int
    config: Path
    log: Path
    proc: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def haproxy() -> str | None:
    return shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None
    )


def start_balancer(folder: Path, replicas: list[Replica]) -> Balancer:
    binary = haproxy()
    assert binary is not None
    port = free_port()
    servers = "\n".join(f"    server {r.name} 127.0.0.1:{r.port} check" for r in replicas)
    config = folder / "haproxy.cfg"
    config.write_text(HAPROXY_CFG.format(port=port, servers=servers))
    checked = subprocess.run([binary, "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    balancer = Balancer(port, config, folder / "haproxy.log")
    with balancer.log.open("ab") as out:
        balancer.proc = subprocess.Popen(
            [binary, "-db", "-f", str(config)], stdout=out, stderr=subprocess.STDOUT
        )
    return balancer


def wait_until(
    check: object, timeout: float, interval: float = 0.01, since: float | None = None
) -> float:
    """Seconds from ``since`` (default: now) to the answer of the first ``check()`` that came
    out true, polled every ``interval``; fails past ``timeout``."""
    assert callable(check)
    start = time.monotonic() if since is None else since
    while True:
        if check():
            return round(time.monotonic() - start, 3)
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(interval)
