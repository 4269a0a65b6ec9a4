"""The full HTTP stack on loopback: a real gunicorn (sync workers, as `gunicorn config.wsgi` runs
in production) started and stopped by the benchmark, and a small HTTP client driving it with
threads (wrk is not needed). Only 127.0.0.1 is ever contacted."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import db
from bench.measure import percentile

HOST = "127.0.0.1"
OUT = Path(__file__).resolve().parent / "out"


class HTTPError(Exception):
    pass


def request(port: int, method: str, path: str, *, token: str | None = None, body=None,
            timeout: float = 120) -> tuple[int, bytes]:
    """One request on a new connection (sync workers close it after each response anyway)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def checked(port: int, method: str, path: str, *, expect: int = 200, **kwargs) -> bytes:
    status, content = request(port, method, path, **kwargs)
    if status != expect:
        raise HTTPError(f"{method} {path}: HTTP {status} (expected {expect}): {content[:300]!r}")
    return content


class Gunicorn:
    """`gunicorn bench.wsgi` with N sync workers on a free loopback port."""

    def __init__(self, database_url: str, *, workers: int = 2):
        self.database_url = database_url
        self.workers = workers
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.at_start: dict = {}  # memory() once the workers have booted, before any benchmark request
        self.log_path = OUT / "gunicorn.log"

    def start(self, *, timeout: float = 60) -> None:
        OUT.mkdir(exist_ok=True)
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            self.port = probe.getsockname()[1]
        environment = {**os.environ, **db.environment(self.database_url)}
        original = db.ORIGINAL_STATEMENT_TIMEOUT.get("value")
        if original is None:  # the web workers keep the application's own statement timeout
            environment.pop("DB_STATEMENT_TIMEOUT_MS", None)
        else:
            environment["DB_STATEMENT_TIMEOUT_MS"] = original
        command = [
            sys.executable, "-m", "gunicorn", "bench.wsgi:application",
            "--workers", str(self.workers), "--worker-class", "sync", "--bind", f"{HOST}:{self.port}",
            "--timeout", "120", "--graceful-timeout", "10", "--log-level", "warning",
        ]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=Path(__file__).resolve().parent.parent, env=environment, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                if request(self.port, "GET", "/healthz", timeout=5)[0] == 200 and len(self.worker_pids()) >= 1:
                    time.sleep(1)  # every worker has booted, not only the one that answered
                    self.at_start = self.memory()
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    @staticmethod
    def _status(pid: int) -> dict[str, int]:
        """kB: VmHWM and VmRSS from status; Anonymous, Pss and the private pages from smaps_rollup."""
        values = {}
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    values[key] = int(rest.split()[0])
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
                key, _, rest = line.partition(":")
                if key in ("Anonymous", "Pss", "Private_Clean", "Private_Dirty"):
                    values[key] = int(rest.split()[0])
        except OSError:
            pass
        return values

    def memory(self) -> dict:
        """Per worker, in MiB: peak (VmHWM) and current resident memory, and of the current: the
        anonymous pages (the Python heap), the rest (file-backed: shared libraries), the
        proportional share (PSS) and the private pages (USS). The master's peak."""
        workers = {pid: self._status(pid) for pid in self.worker_pids()}
        master = self._status(self.process.pid) if self.process else {}
        return {
            "workers": [{"pid": pid, "peak_mib": v.get("VmHWM", 0) / 1024, "rss_mib": v.get("VmRSS", 0) / 1024,
                         "anonymous_mib": v.get("Anonymous", 0) / 1024,
                         "file_mib": (v.get("VmRSS", 0) - v.get("Anonymous", 0)) / 1024,
                         "pss_mib": v.get("Pss", 0) / 1024,
                         "private_mib": (v.get("Private_Clean", 0) + v.get("Private_Dirty", 0)) / 1024}
                        for pid, v in workers.items()],
            "master_peak_mib": master.get("VmHWM", 0) / 1024,
            "peak_worker_mib": max((v.get("VmHWM", 0) for v in workers.values()), default=0) / 1024,
        }

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # the master we started, which stops its workers
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def latency_ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000

    def summary(self) -> dict:
        return {
            "requests": self.requests, "seconds": self.seconds, "rps": self.rps,
            "p50_ms": self.latency_ms(0.50), "p95_ms": self.latency_ms(0.95), "p99_ms": self.latency_ms(0.99),
            "errors": len(self.errors), "error_samples": self.errors[:5],
        }


def load(port: int, make, *, concurrency: int, seconds: float, expect: int) -> LoadResult:
    """`concurrency` client threads, each sending requests back to back for `seconds`.
    make(client, number) -> (method, path, token, body)."""
    result = LoadResult()
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)

    def client(number: int) -> None:
        latencies, errors = [], []
        start.wait()
        deadline = time.perf_counter() + seconds
        sent = 0
        while time.perf_counter() < deadline:
            method, path, token, body = make(number, sent)
            began = time.perf_counter()
            try:
                status, content = request(port, method, path, token=token, body=body)
                if status != expect:
                    errors.append(f"{method} {path}: HTTP {status}: {content[:200]!r}")
            except OSError as error:
                errors.append(f"{method} {path}: {error!r}")
            latencies.append(time.perf_counter() - began)
            sent += 1
        with lock:
            result.latencies.extend(latencies)
            result.errors.extend(errors)
            result.requests += sent

    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=seconds + 180)
    result.seconds = time.perf_counter() - began
    return result
