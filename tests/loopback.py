"""A web server on 127.0.0.1 for download tests: `answer(path)` gives each GET's body, or an HTTP error code."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def serve(answer: Callable[[str], bytes | int]) -> Iterator[tuple[str, list[str]]]:
    """Serve `answer` until the block ends; yield the base URL and the list of paths asked for."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            asked.append(self.path)
            body = answer(self.path)
            if isinstance(body, int):
                self.send_error(body, "broken mirror" if body >= 500 else None)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", asked
    finally:
        httpd.shutdown()
        httpd.server_close()
