"""The gunicorn worker the app runs in (gunicorn.conf.py; benchmarks/checkin.py)."""

import socket

from gunicorn.http.body import LengthReader
from gunicorn.workers.sync import SyncWorker as GunicornSyncWorker


class SyncWorker(GunicornSyncWorker):
    """gunicorn's sync worker, free for the next request as soon as its answer is out.

    Since gunicorn 26 a sync worker closes each connection gracefully: it sends its FIN, then
    waits up to two seconds for the client's, so that request bytes it never read cannot make
    the kernel reset the connection and cut the answer short (RFC 9112, 9.6). A sync worker
    serves nobody while it waits (for nginx, for a phone): two such workers answered 14 % fewer
    scans a second than these. Where the request was read to its end and nothing more has
    arrived, no reset can come of closing, so this closes at once; otherwise gunicorn's
    graceful close follows, as before."""

    def handle_request(self, listener, req, client, addr):
        super().handle_request(listener, req, client, addr)
        if not self.cfg.is_ssl and read_to_the_end(req) and nothing_unread(client):
            client.close()  # gunicorn's graceful close then finds it closed


def read_to_the_end(req) -> bool:
    """Whether the app read the request's body (of a length it gave) to its last byte."""
    reader = req.body.reader
    return isinstance(reader, LengthReader) and reader.length == 0 and not req.body.failed


def nothing_unread(client: socket.socket) -> bool:
    """Whether the kernel holds nothing the client sent that was not read (its FIN aside)."""
    try:
        return client.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return True
    except OSError:
        return False  # gone already: gunicorn's close deals with it
