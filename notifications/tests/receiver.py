"""A local webhook receiver for tests: an HTTP server on 127.0.0.1 at a random port, in a thread,
that records every POST and answers like the robot platforms do (``{"errcode": 0}``)."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self):
        self.posts = []  # (path, query dict, JSON body)
        self.answers = []  # queued (status, body) for the next posts; then 200 {"errcode": 0}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length).decode())
                parts = urllib.parse.urlsplit(self.path)
                receiver.posts.append((parts.path, dict(urllib.parse.parse_qsl(parts.query)), body))
                status, answer = receiver.answers.pop(0) if receiver.answers else (200, {"errcode": 0, "errmsg": "ok"})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def posts_to(self, path):
        return [(query, body) for posted, query, body in self.posts if posted == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def start(settings):
    """A running receiver, with robots allowed to post to it."""
    settings.MOFAN_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.MOFAN_WEBHOOK_TIMEOUT = 2
    return Receiver()
