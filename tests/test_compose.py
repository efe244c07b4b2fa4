"""compose.yaml stays consistent with itself, the image and haproxy's configuration: N replicas
on one PostgreSQL behind haproxy, each replica a `server` of the load balancer."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HAPROXY_CFG = ROOT / "deploy" / "haproxy" / "haproxy.cfg"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return data


def replicas(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: svc
        for name, svc in compose["services"].items()
        if "MIRRORSCAN_DATABASE_URL" in svc.get("environment", {})
    }


def env_var(value: str) -> str:
    """`${NAME:-default}` -> default; `${NAME:?message}` -> NAME."""
    m = re.fullmatch(r"\$\{(\w+)(?::-(.*)|:\?.*)?\}", value)
    return (m.group(2) or m.group(1)) if m else value


def test_two_replicas_on_one_postgres(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"postgres", "lb"} <= set(services)
    reps = replicas(compose)
    assert len(reps) >= 2
    data_volumes = set()
    for name, svc in reps.items():
        assert "@postgres:5432/" in svc["environment"]["MIRRORSCAN_DATABASE_URL"], name
        assert svc["depends_on"]["postgres"]["condition"] == "service_healthy", name
        for var in ("MIRRORSCAN_API_KEYS", "MIRRORSCAN_WEB__SESSION_SECRET"):
            assert var in svc["environment"], f"{name}: {var} must be the same on every replica"
        mounts = dict(v.split(":", 1)[::-1] for v in svc["volumes"])
        data_volumes.add(mounts["/data"])
        assert mounts["/opt/mirrorscan/models"] == "models", name
    assert len(data_volumes) == len(reps), "each replica keeps its index snapshots apart"
    assert set(compose["volumes"]) >= data_volumes | {"models", "pgdata"}


def test_the_models_volume_is_where_the_image_keeps_its_models() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "MIRRORSCAN_MODELS_DIR=/opt/mirrorscan/models" in dockerfile
    assert "MIRRORSCAN_DATA_DIR=/data" in dockerfile


def test_every_replica_is_a_server_of_the_load_balancer(compose: dict[str, Any]) -> None:
    cfg = HAPROXY_CFG.read_text()
    servers = dict(re.findall(r"^\s*server\s+(\S+)\s+(\S+)", cfg, re.M))
    assert {host.split(":")[0] for host in servers.values()} == set(replicas(compose))
    assert all(host.endswith(":8000") for host in servers.values())
    assert "option httpchk GET /readyz" in cfg
    bind = re.search(r"^\s*bind\s+:(\d+)", cfg, re.M)
    assert bind is not None
    ports = [env_var(p.rsplit(":", 1)[0]) + ":" + p.rsplit(":", 1)[1]
             for p in compose["services"]["lb"]["ports"]]  # fmt: skip
    assert ports == [f"8000:{bind.group(1)}"]


def test_haproxy_accepts_the_configuration() -> None:
    if shutil.which("haproxy") is None:
        if os.environ.get("CI"):
            pytest.fail("haproxy is missing: .ci/run installs the list's test packages")
        pytest.skip("haproxy is absent (apt-get install haproxy)")
    out = subprocess.run(
        ["haproxy", "-c", "-f", str(HAPROXY_CFG)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    # outside compose the replicas' names do not resolve; nothing else may be wrong
    warnings = [line for line in out.stderr.splitlines() if "WARNING" in line]
    assert all("could not resolve address" in w for w in warnings), warnings
