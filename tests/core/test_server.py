"""The sync worker closes a connection as soon as its answer is out, where closing cuts nothing
short, and gracefully where the client may still be sending (conference/core/server.py)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.database_free

ROOT = Path(__file__).resolve().parent.parent.parent

APP = """
def app(environ, start_response):
    if environ["PATH_INFO"] == "/read":
        environ["wsgi.input"].read()
    refused = environ["PATH_INFO"] == "/refuse"  # answers without reading the body
    start_response("401 Unauthorized" if refused else "200 OK", [("Content-Type", "text/plain"),
                                                                 ("Content-Length", "6")])
    return [b"answer"]
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One worker of the project's class on a socket made here, so that connections wait in its
    backlog until the worker takes them."""
    folder = tmp_path_factory.mktemp("server")
    (folder / "tiny.py").write_text(APP)
    listener = socket.create_server(("127.0.0.1", 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", os.devnull, "-w", "1", "-k", "conference.core.server.SyncWorker",
         "-b", f"fd://{listener.fileno()}", "--log-level", "warning", "tiny:app"],
        cwd=folder, env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{folder}"}, pass_fds=[listener.fileno()])
    yield listener.getsockname()[1]
    process.terminate()
    process.wait(timeout=30)
    listener.close()


def _ask(port: int, path: str, body: bytes = b"") -> tuple[socket.socket, bytes]:
    """The connection (left open by this side) and the whole answer, read to the server's FIN."""
    client = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
    client.sendall(head.encode() + body)
    chunks = []
    while chunk := client.recv(65536):
        chunks.append(chunk)
    return client, b"".join(chunks)


def _held_by_a_process(server_port: int, client_port: int) -> bool:
    """Whether the server's end of this connection is still an open socket of some process
    (an inode in /proc/net/tcp), rather than closed and left to the kernel."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            return inode != "0"
    return False


@pytest.mark.parametrize(("path", "body"), [("/", b""), ("/read", b"x" * 20_000)])
def test_a_request_read_to_its_end_is_closed_at_once(server, path, body):
    """gunicorn's own worker would keep the socket and wait, up to two seconds, for this client
    to close its end, serving nobody meanwhile."""
    client, answer = _ask(server, path, body)
    try:
        assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"answer")
        assert not _held_by_a_process(server, client.getsockname()[1])
    finally:
        client.close()


def test_a_body_left_unread_still_gets_the_whole_answer(server):
    """Closing with the body unread would make the kernel reset the connection, and the client
    could lose the answer: the worker closes gracefully there, as gunicorn does."""
    client, answer = _ask(server, "/refuse", b"x" * 30_000)
    client.close()
    assert answer.startswith(b"HTTP/1.1 401 ") and answer.endswith(b"answer")
