"""The app served on 127.0.0.1 from a process of its own.

For clients that hold the GIL while they wait for an answer (GDAL through
pyogrio): a server on a thread of the same process would never get to reply.
"""
from __future__ import annotations

import multiprocessing
import queue
import time

START_TIMEOUT_S = 120


def _serve(config: dict, ports) -> None:
    from werkzeug.serving import make_server

    from tests.conftest import make_app

    server = make_server("127.0.0.1", 0, make_app(**config), threaded=True)
    ports.put(server.server_port)
    server.serve_forever()


class ServerProcess:
    """`with ServerProcess(DATABASE_URL=...) as server:` serves make_app(**config) at server.url."""

    def __init__(self, **config):
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no engine or lock shared by fork
        self.ports = context.Queue()
        self.process = context.Process(target=_serve, args=(config, self.ports), daemon=True)
        self.url = ""

    def __enter__(self) -> ServerProcess:
        self.process.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.url:
            try:
                self.url = f"http://127.0.0.1:{self.ports.get(timeout=0.5)}"
            except queue.Empty:
                if not self.process.is_alive() or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"the server did not start (exit code {self.process.exitcode})") from None
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.join(timeout=10)
