"""Real processes for end-to-end tests: a Redis broker of the test's own, a Celery worker (with
beat) against the test database, and a webhook receiver on loopback."""

import hashlib
import hmac
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on its own port, which a test can stop and start again."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _port_open(self.port), "redis to start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(condition, what: str, timeout: float = 60.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def database_url() -> str:
    db = connection.settings_dict
    return f"postgis://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def celery_worker(broker_url: str, log_path: Path, *, name: str = "worker", beat: bool = True, concurrency: int = 2,
                  **extra_env):
    """A real worker on the test database, with embedded beat (sweep every second) unless told
    otherwise: of several workers only one may run beat, as production runs exactly one."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TEST_CELERY_BROKER_URL": broker_url,
        "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        "OUTBOX_SWEEP_SECONDS": "1",
        "WEBHOOK_RETRY_BASE_SECONDS": "1",
        **extra_env,
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO",
               "--concurrency", str(concurrency), "--hostname", f"{name}@%h"]
    if beat:
        command += ["-B", "--schedule", str(log_path.with_suffix(".schedule"))]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            wait_for(lambda: "ready" in log_path.read_text() or process.poll() is not None, f"worker {name}")
            assert process.poll() is None, log_path.read_text()
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def publishing_to(broker_url: str):
    """Make this process (the web side) publish tasks to the given broker."""
    from config.celery import app

    previous = app.conf.broker_url

    def switch(url):
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    switch(broker_url)
    try:
        yield
    finally:
        switch(previous)


class WebhookReceiver:
    """Collects the webhook requests it is sent, on 127.0.0.1."""

    def __init__(self):
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[dict]:
        with self.lock:
            return [json.loads(request["body"]) for request in self.requests]


def signature_is_valid(request: dict, secret: str) -> bool:
    fields = dict(part.split("=", 1) for part in request["headers"]["X-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])
