"""``python -m api --workers 3`` on PostgreSQL: what one worker records, every worker honours.

One server for the module, run as a hosted deployment: the application role
under row-level security, the owner for the scheduler, an SMTP server of the
test's own. Every request goes over a new TCP connection, so the kernel gives
it to whichever worker accepts it first; which one did is read from ``/proc``
(the worker process holding the server's end of that connection), so each
case shows that its requests really crossed workers.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from websockets.sync.client import ClientConnection, connect

import api.__main__ as command
from database.core.column_types import utcnow
from database.core.session import cleanup_database
from database.core.tenant import grant_app_role
from database.domain.accounts import DEFAULT_POLICY
from database.services.alerts.monitor import MONITOR_LEASE
from database.services.realtime.listener import APPLICATION_NAME
from tests.support.api import PASSWORD
from tests.support.app_role import AppRole, catalog_lock
from tests.support.engines import ROOT, open_database
from tests.support.smtp import Inbox, free_port, smtp_server
from utils.processes import stop

WORKERS = 3
API = "/api/v1"
#: Seconds between reminder passes: each worker runs several while a case waits.
SCHEDULER_INTERVAL = 0.2
#: Far longer than any wait below: an event that arrives was woken by its notification.
HEARTBEAT = 30.0
#: How long an event may take to reach a stream (well under :data:`HEARTBEAT`).
FAN_OUT_PATIENCE = 5.0
START_TIMEOUT = 60.0
STARTED = "Application startup complete"
#: The most new connections a case opens while it waits for the kernel to spread them.
MAX_CONNECTIONS = 60
#: Requests per person in one rate-limit window: more than any other test here sends.
RATE_LIMIT = 300
RATE_LIMIT_WINDOW = 10**8  # seconds: no window ends while the module runs


@dataclass(frozen=True)
class Answer:
    """One response, and the worker process that served it."""

    status: int
    headers: Message
    body: bytes
    worker: int

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Server:
    """The served API: its supervisor process, port, inbox and the owner's way into its database."""

    process: subprocess.Popen[bytes]
    port: int
    inbox: Inbox
    owner: Engine
    log: Path

    @property
    def workers(self) -> set[int]:
        """The worker processes: the supervisor's children that serve (not its resource tracker)."""
        return {
            pid
            for pid in children_of(self.process.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        }

    def worker_of(self, client_port: int) -> int:
        """The worker holding the server's end of the connection from ``client_port``."""
        inode = server_socket_inode(self.port, client_port)
        for pid in self.workers:
            if f"socket:[{inode}]" in open_sockets(pid):
                return pid
        raise AssertionError(f"no worker holds the connection from port {client_port}")

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """``method path`` over a new connection (closed after the answer) and who served it."""
        sent = dict(headers or {})
        payload = None
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if body is not None:
            payload, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            payload = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, API + path, body=payload, headers=sent)
            response = connection.getresponse()
            content = response.read()
            # Kept alive by the server until closed here: its end is still in the worker.
            assert connection.sock is not None
            worker = self.worker_of(connection.sock.getsockname()[1])
            return Answer(response.status, response.headers, content, worker)
        finally:
            connection.close()

    def signed_in(self, email: str) -> str:
        """A new account's access token."""
        registered = self.call(
            "POST", "/auth/register", body={"email": email, "password": PASSWORD}
        )
        assert registered.status == 201, registered.body
        return self.sign_in(email)

    def sign_in(self, email: str) -> str:
        """An access token of ``email``'s account."""
        answer = self.call("POST", "/auth/token", form={"username": email, "password": PASSWORD})
        assert answer.status == 200, answer.body
        return str(answer.json()["access_token"])

    def scalar(self, sql: str, **params: Any) -> Any:
        """One value read as the tables' owner."""
        with self.owner.connect() as conn:
            return conn.execute(text(sql), params).scalar()


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # the process ended meanwhile
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def server_socket_inode(server_port: int, client_port: int) -> int:
    """The inode of the server's end of the loopback connection from ``client_port``."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(address.split(":")[1], 16) for address in fields[1:3])
        if (local, remote) == (server_port, client_port):
            return int(fields[9])
    raise AssertionError(f"no connection from port {client_port} to {server_port}")


def open_sockets(pid: int) -> set[str]:
    """What the open file descriptors of ``pid`` point to."""
    folder = Path(f"/proc/{pid}/fd")
    targets = set()
    for fd in folder.iterdir():
        try:
            targets.add(os.readlink(fd))
        except OSError:  # closed meanwhile
            continue
    return targets


def workers_of(answers: list[Answer]) -> set[int]:
    return {answer.worker for answer in answers}


def until_every_worker(server: Server, send: Callable[[], Answer]) -> list[Answer]:
    """``send()``'s answers, sent over new connections until every worker has served one."""
    answers: list[Answer] = []
    while workers_of(answers) != server.workers and len(answers) < MAX_CONNECTIONS:
        answers.append(send())
    return answers


def server_environment(
    role: AppRole, owner_url: str, direct_url: str, inbox: Inbox, folder: Path
) -> dict[str, str]:
    """A hosted deployment's settings; none of the test process's own.

    ``direct_url`` is the server itself, for when ``owner_url`` goes through PgBouncer.
    """
    ours = ("DATABASE_", "API_", "SMTP_", "AUTO_APPLYER_", "WEBHOOKS_", "MAINTENANCE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(
        ENVIRONMENT="production",
        AUTO_APPLYER_MODE="hosted",
        DATABASE_URL=role.url,
        DATABASE_OWNER_URL=owner_url,
        DATABASE_DIRECT_URL=direct_url,
        AUTO_APPLYER_DATA_DIR=str(folder / "data"),
        API_SCHEDULER_INTERVAL=str(SCHEDULER_INTERVAL),
        API_WEBHOOK_INTERVAL="1",
        API_WS_HEARTBEAT=str(HEARTBEAT),
        # Longer than the module runs: each worker's first pass, at start-up, is the only one.
        API_MAINTENANCE_INTERVAL="86400",
        API_HEALTH_INTERVAL="600",
        API_RATE_LIMIT=str(RATE_LIMIT),
        API_RATE_LIMIT_WINDOW=str(RATE_LIMIT_WINDOW),
        SMTP_HOST=inbox.host,
        SMTP_PORT=str(inbox.port),
    )
    return env


def wait_started(server: Server) -> None:
    """Return once every worker has started its app and the health check answers."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        log = server.log.read_text(errors="replace")
        assert server.process.poll() is None, f"the server exited:\n{log[-3000:]}"
        started = log.count(STARTED) == WORKERS and len(server.workers) == WORKERS
        if started and server.call("GET", "/health").status == 200:
            return
        time.sleep(0.1)
    raise AssertionError(f"{WORKERS} workers did not start within {START_TIMEOUT:g} s")


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest,
    postgres_url: str,
    postgres_direct_url: str,
    app_role: AppRole,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """``python -m api --workers 3`` on an empty, migrated database, stopped at the end."""
    folder = tmp_path_factory.mktemp("workers")
    with pytest.MonkeyPatch.context() as patch:
        manager = open_database("postgresql", request, folder, patch)
        with catalog_lock():
            grant_app_role(manager.engine, app_role.name)
        cleanup_database()
    owner = create_engine(postgres_url, poolclass=NullPool)
    port = free_port()
    command = [sys.executable, "-m", "api", "--workers", str(WORKERS), "--port", str(port)]
    with smtp_server() as inbox, (folder / "server.log").open("wb") as log:
        env = server_environment(app_role, postgres_url, postgres_direct_url, inbox, folder)
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        served = Server(process, port, inbox, owner, folder / "server.log")
        children: set[int] = set()
        try:
            wait_started(served)
            children = children_of(process.pid)
            yield served
        finally:
            stop(process, timeout=30)
            owner.dispose()
    # The resource tracker ends once it reads the end of its pipe: a moment after the rest.
    wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), timeout=5)
    written = served.log.read_text(errors="replace")
    assert "Traceback" not in written, written[-5000:]


def test_the_server_runs_three_workers_each_listening_for_events(server: Server) -> None:
    assert len(server.workers) == WORKERS
    listeners = server.scalar(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND application_name = :name",
        name=APPLICATION_NAME,
    )
    assert listeners == WORKERS


def test_failed_sign_ins_over_several_workers_lock_at_the_policys_count(server: Server) -> None:
    email = "throttled@example.com"
    server.call("POST", "/auth/register", body={"email": email, "password": PASSWORD})
    allowed = DEFAULT_POLICY.account_failures
    wrong = {"username": email, "password": "wrong password"}
    with ThreadPoolExecutor(allowed) as pool:
        failures = list(
            pool.map(lambda _: server.call("POST", "/auth/token", form=wrong), range(allowed))
        )
    assert [answer.status for answer in failures] == [401] * allowed
    # As with one worker: the count is reached, so even the right password is refused now.
    locked = [
        server.call("POST", "/auth/token", form={"username": email, "password": PASSWORD})
        for _ in range(WORKERS)
    ]
    assert [answer.status for answer in locked] == [429] * WORKERS
    window = DEFAULT_POLICY.window.total_seconds()
    assert all(0 < int(answer.headers["Retry-After"]) <= window for answer in locked)
    assert len(workers_of(failures + locked)) >= 2


def test_a_token_signed_out_on_one_worker_is_refused_by_every_worker(server: Server) -> None:
    email = "revoked@example.com"
    token = server.signed_in(email)
    before = until_every_worker(server, lambda: server.call("GET", "/me", token=token))
    assert {answer.status for answer in before} == {200}
    signed_out = server.call("POST", "/auth/logout", token=token)
    assert signed_out.status == 204
    after = until_every_worker(server, lambda: server.call("GET", "/me", token=token))
    assert [answer.status for answer in after] == [401] * len(after)
    assert workers_of(after) == server.workers


def test_the_rate_limit_holds_over_several_workers(server: Server) -> None:
    token = server.signed_in("busy@example.com")
    with ThreadPoolExecutor(6) as pool:
        answers = list(
            pool.map(lambda _: server.call("GET", "/me", token=token), range(RATE_LIMIT + 60))
        )
    served = [answer for answer in answers if answer.status == 200]
    refused = [answer for answer in answers if answer.status == 429]
    assert len(served) + len(refused) == len(answers)
    # Each worker takes a twentieth of the limit at a time; what the others hold unspent
    # when one runs dry is the most the three may refuse early.
    chunk = RATE_LIMIT // 20
    assert RATE_LIMIT - (WORKERS - 1) * chunk <= len(served) <= RATE_LIMIT
    assert all(0 < int(answer.headers["Retry-After"]) <= RATE_LIMIT_WINDOW for answer in refused)
    assert workers_of(served) == server.workers
    calm = server.signed_in("calm@example.com")
    assert server.call("GET", "/me", token=calm).status == 200


def test_a_post_retried_over_several_workers_creates_one_application(server: Server) -> None:
    token = server.signed_in("retrier@example.com")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"job_title": "Engineer", "company": "Once Ltd"}

    def post(_: object = None) -> Answer:
        return server.call("POST", "/applications", token=token, body=body, headers=key)

    with ThreadPoolExecutor(WORKERS) as pool:
        concurrent = list(pool.map(post, range(WORKERS)))
    answers = concurrent + until_every_worker(server, post)
    assert {answer.status for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    replayed = [answer.headers.get("Idempotent-Replayed") for answer in answers]
    assert replayed.count(None) == 1 and replayed.count("true") == len(answers) - 1
    listed = server.call("GET", "/applications", token=token)
    assert [a["company"] for a in listed.json()] == ["Once Ltd"]
    assert server.scalar("SELECT count(*) FROM job_applications") == 1
    assert workers_of(answers) == server.workers


def test_a_stream_on_one_worker_hears_every_write_made_on_the_others(server: Server) -> None:
    token = server.signed_in("listener@example.com")
    url = f"ws://127.0.0.1:{server.port}{API}/ws"
    with connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as stream:
        stream_worker = server.worker_of(stream.socket.getsockname()[1])
        writes: list[Answer] = []
        heard: list[int] = []
        latencies: list[float] = []
        while workers_of(writes) != server.workers or len(writes) < 2 * WORKERS:
            assert len(writes) < MAX_CONNECTIONS, f"writes reached {workers_of(writes)} only"
            body = {"job_title": "Developer", "company": f"Company {len(writes)}"}
            written = time.monotonic()
            answer = server.call("POST", "/applications", token=token, body=body)
            assert answer.status == 201, answer.body
            writes.append(answer)
            heard.append(next_event(stream)["entity_id"])
            latencies.append(time.monotonic() - written)
    assert heard == [answer.json()["id"] for answer in writes]
    elsewhere = [answer for answer in writes if answer.worker != stream_worker]
    assert workers_of(elsewhere) == server.workers - {stream_worker}
    assert max(latencies) < FAN_OUT_PATIENCE


def next_event(stream: ClientConnection) -> dict[str, Any]:
    """The next event of ``stream`` within :data:`FAN_OUT_PATIENCE` (no heartbeat comes sooner)."""
    message: dict[str, Any] = json.loads(stream.recv(timeout=FAN_OUT_PATIENCE))
    assert message["type"] == "event", message
    return message


def test_three_workers_schedule_each_reminder_mail_maintenance_and_health_tick_once(
    server: Server,
) -> None:
    email = "reminded@example.com"
    token = server.signed_in(email)
    soon = (utcnow() + timedelta(hours=2)).isoformat()
    body = {"job_title": "Engineer", "company": "Initech", "interview_date": soon}
    created = server.call("POST", "/applications", token=token, body=body)
    assert created.status == 201, created.body
    application = created.json()["id"]
    reminders = "SELECT count(*) FROM notifications WHERE application_id = :id"

    def mails() -> list[str]:
        return [str(m["Subject"]) for m in server.inbox.messages if m["To"] == email]

    wait_until(lambda: server.scalar(reminders, id=application) > 0 and bool(mails()))
    # Every worker runs many more passes meanwhile: none of them adds a second one.
    time.sleep(10 * SCHEDULER_INTERVAL)
    assert server.scalar(reminders, id=application) == 1
    assert mails() == ["Interview soon: Initech — Engineer"]

    finished = "SELECT count(*) FROM maintenance_runs WHERE finished_at IS NOT NULL"
    wait_until(lambda: server.scalar(finished) > 0, timeout=30)
    assert server.scalar("SELECT count(*) FROM maintenance_runs WHERE trigger = 'schedule'") == 1
    holder = "SELECT holder FROM maintenance_locks WHERE name = :name"
    wait_until(lambda: server.scalar("SELECT count(*) FROM metric_samples") > 0)
    assert server.scalar("SELECT count(DISTINCT taken_at) FROM metric_samples") == 1
    lease = server.scalar(holder, name=MONITOR_LEASE)
    assert int(lease.rsplit(":", 1)[1]) in server.workers


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Return once ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout:g} s"
        time.sleep(0.05)


def test_several_workers_on_an_in_memory_database_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "testing")  # in-memory SQLite: a database per worker
    assert command.main(["--workers", str(WORKERS), "--port", "0"]) == 1
    assert capsys.readouterr().err.strip() == (
        "auto-applyer-api: error: several workers need a database they share,"
        " not an in-memory SQLite one"
    )
