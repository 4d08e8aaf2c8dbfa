"""scripts/stack.sh itself: it starts the production arrangement, nginx answers /readyz over TLS
with every check ok, nginx's access log and the app's never write a private link while the
request id is the same in both, and stopping leaves none of its processes behind.

Minutes long (the demo is loaded): run by `make test-stack`, not by `make test`."""

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {
    "/r/{}": "attendee-private-token-5b1f0c",
    "/r/{}/badge.pdf": "attendee-badge-token-9d2e41",
    "/account/welcome/{}": "account-invitation-token-77aa01",
    "/volunteer/2023/status/{}": "volunteer-status-token-3c9e55",
    "/verify/volunteer/{}": "CERT-SERIAL-0000-1111-2222",
    "/scan/?pair={}": "pairing-code-4242",
    "/login?next=/r/{}": "attendee-token-in-next-8f8f8f",
}


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for probe in sockets:
        probe.bind(("127.0.0.1", 0))
    ports = [probe.getsockname()[1] for probe in sockets]
    for probe in sockets:
        probe.close()
    return ports


def _pids(folder: Path) -> dict[str, int]:
    return {path.stem: int(path.read_text().split()[0]) for path in (folder / "run").glob("*.pid")}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def stack():
    # Not pytest's tmp_path: PostgreSQL runs as postgres, who may not enter pytest's own folder.
    folder = Path(tempfile.mkdtemp(prefix="conference-stack-test-"))
    https, app1, app2, postgres, redis = _free_ports(5)
    env = {**os.environ, "STACK_DIR": str(folder), "STACK_HTTPS_PORT": str(https), "STACK_APP_PORTS": f"{app1} {app2}",
           "STACK_POSTGRES_PORT": str(postgres), "STACK_REDIS_PORT": str(redis)}
    os.chmod(folder, 0o755)  # noqa: S103  PostgreSQL runs as postgres inside it; secrets stay 0600
    command = ["/bin/bash", str(ROOT / "scripts" / "stack.sh")]
    started = subprocess.run([*command, "start"], env=env, capture_output=True, text=True, timeout=900)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield folder, https
    finally:
        pids = _pids(folder)
        stopped = subprocess.run([*command, "stop"], env=env, capture_output=True, text=True, timeout=300)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert set(pids) == {"postgres", "redis", "app1", "app2", "consumer", "nginx"}
        assert [name for name, pid in pids.items() if _alive(pid)] == []
        assert list((folder / "run").glob("*.pid")) == []
        shutil.rmtree(folder)


def _get(folder: Path, port: int, path: str) -> tuple[int, dict, bytes]:
    context = ssl.create_default_context(cafile=str(folder / "tls" / "cert.pem"))
    request = urllib.request.Request(f"https://127.0.0.1:{port}{path}", headers={"Accept-Language": "en"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as answer:  # noqa: S310  loopback only
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers), answer.read()


def _get_in_turn(folder: Path, port: int, paths: list[str]) -> list[dict]:
    """The answers' headers to GET each path in turn on one kept-alive connection, then
    /healthz: nginx writes a request's access line before it reads the next request of the same
    connection, so once the last answer is in, the log holds a line for each path."""
    context = ssl.create_default_context(cafile=str(folder / "tls" / "cert.pem"))
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    headers = []
    try:
        for path in [*paths, "/healthz"]:
            connection.request("GET", path, headers={"Accept-Language": "en"})
            answer = connection.getresponse()
            answer.read()
            headers.append(dict(answer.headers))
    finally:
        connection.close()
    return headers[:-1]


def test_ready_through_nginx_over_tls(stack):
    folder, port = stack
    status, headers, body = _get(folder, port, "/readyz")
    assert status == 200
    assert json.loads(body) == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "redis": "ok"}}
    assert len(headers["X-Request-ID"]) == 32  # nginx's $request_id, passed to the app and back


def test_no_private_link_in_any_log(stack):
    folder, port = stack
    paths = [pattern.format(secret) for pattern, secret in SECRETS.items()]
    request_ids = [headers["X-Request-ID"] for headers in _get_in_turn(folder, port, paths)]
    logs = folder / "log"
    access = (logs / "access.log").read_text()
    written = access + "".join(path.read_text(errors="replace") for path in logs.glob("*.log"))
    assert [secret for secret in SECRETS.values() if secret in written] == []
    lines = [json.loads(line) for line in access.splitlines()]
    assert {line["request_id"] for line in lines} >= set(request_ids)
    assert {"/r/[redacted]", "/r/[redacted]/badge.pdf", "/account/welcome/[redacted]", "/verify/volunteer/[redacted]",
            "/volunteer/2023/status/[redacted]", "/scan/", "/login"} <= {line["path"] for line in lines}
    app_lines = [json.loads(line) for name in ("app1", "app2") for line in (logs / f"{name}.log").read_text().splitlines()
                 if line.startswith("{")]
    assert set(request_ids) <= {line["request_id"] for line in app_lines}  # the same id in both logs
    assert "/r/<token>" in {line.get("route") for line in app_lines}


def test_the_job_consumer_yields_the_cpu_to_the_app_nodes(stack):
    folder, _port = stack
    pids = _pids(folder)
    assert os.getpriority(os.PRIO_PROCESS, pids["consumer"]) == 10
    assert os.getpriority(os.PRIO_PROCESS, pids["app1"]) == os.getpriority(os.PRIO_PROCESS, pids["app2"]) == 0
    # Each program has a session of its own, and Linux shares the CPU between sessions'
    # autogroups before nice weighs processes inside one: the consumer's session is niced too.
    group = Path(f"/proc/{pids['consumer']}/autogroup")
    if group.exists():
        assert group.read_text().split()[-1] == "10"
        assert Path(f"/proc/{pids['app1']}/autogroup").read_text().split()[-1] == "0"
