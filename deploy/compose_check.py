"""Check docker-compose.yml without Docker: `python deploy/compose_check.py docker-compose.yml`.

Used by `make compose-check` where neither `docker compose` nor `docker-compose` is installed. It
is not the Compose specification's validator: it loads the YAML (anchors and merge keys included)
and checks what this project relies on: every service has an image or a build and a known
restart policy, `depends_on` and named volumes point at things that exist, `${VAR…}`
interpolations are well formed, exactly one service runs Celery beat and no worker embeds it,
gunicorn is not published on the host, and the proxy's Caddyfile limits request bodies.
"""

import re
import sys
from pathlib import Path

import yaml

INTERPOLATION = re.compile(r"\$\{([^}]*)\}")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*((:?[-?+]).*)?$")
RESTART = {"no", "always", "on-failure", "unless-stopped"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


def _command(service: dict) -> list[str]:
    command = service.get("command") or []
    return command.split() if isinstance(command, str) else [str(part) for part in command]


def check(path: Path) -> list[str]:
    text = path.read_text()
    errors = []
    for match in INTERPOLATION.finditer(text.replace("$$", "")):
        if not VARIABLE.match(match.group(1)):
            errors.append(f"malformed interpolation ${{{match.group(1)}}}")
    data = yaml.safe_load(text)
    services = data.get("services") or {}
    volumes = set((data.get("volumes") or {}).keys())
    if not services:
        return [*errors, "no services"]
    beats = []
    for name, service in services.items():
        if not isinstance(service, dict):
            errors.append(f"{name}: not a mapping")
            continue
        if "image" not in service and "build" not in service:
            errors.append(f"{name}: neither image nor build")
        if str(service.get("restart", "no")) not in RESTART:
            errors.append(f"{name}: unknown restart policy {service.get('restart')!r}")
        depends = service.get("depends_on") or {}
        for other, condition in (
            depends.items() if isinstance(depends, dict) else ((d, {}) for d in depends)
        ):
            if other not in services:
                errors.append(f"{name}: depends on unknown service {other}")
            if isinstance(condition, dict) and condition.get(
                "condition", "service_started"
            ) not in (CONDITIONS):
                errors.append(f"{name}: unknown depends_on condition {condition}")
        for volume in service.get("volumes") or []:
            source = str(volume).split(":", 1)[0]
            if source.startswith((".", "/")):
                if not (path.parent / source).exists():
                    errors.append(f"{name}: bind-mounted {source} does not exist")
            elif source not in volumes:
                errors.append(f"{name}: volume {source} is not declared")
        command = _command(service)
        if "celery" in command and "beat" in command:
            beats.append(name)
            replicas = (service.get("deploy") or {}).get("replicas", 1)
            if replicas != 1:
                errors.append(f"{name}: Celery beat must run once, not {replicas} times")
        if "celery" in command and "worker" in command and ("-B" in command or "--beat" in command):
            errors.append(f"{name}: a worker must not embed beat (the `beat` service runs it)")
        if "gunicorn" in " ".join(command) and service.get("ports"):
            errors.append(f"{name}: gunicorn must be reached through the proxy only")
    if len(beats) != 1:
        errors.append(f"exactly one service must run Celery beat, found {beats}")
    caddyfile = path.parent / "deploy" / "Caddyfile"
    if "proxy" not in services:
        errors.append("no proxy service")
    elif not re.search(r"max_size\s+\d+MB", caddyfile.read_text()):
        errors.append("the Caddyfile sets no request body limit")
    return errors


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "docker-compose.yml")
    errors = check(path)
    for error in errors:
        print(f"{path}: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
