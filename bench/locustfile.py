"""Locust scenario of the load benchmark (run by bench/bench_load.py; see its docstring).

Each user is one declarant of one large account (LOAD_DATA: who, which declaration, SIRENs of
registered SMEs, domains). Phases, timed from the moment every user has signed in:
ramp-up (signing in), steady (think time 5 s ± 50 %), saturation (no think time), floor (the home
page only, no think time). At the end, the figures go to LOAD_RESULTS as JSON.
"""

import json
import os
import random
import re
import statistics
import time

from locust import FastHttpUser, LoadTestShape, events, task

DATA = json.loads(open(os.environ["LOAD_DATA"]).read())  # noqa: SIM115
USERS = len(DATA["users"])
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "2"))
STEADY_S = float(os.environ.get("LOAD_STEADY_S", "150"))
SATURATION_S = float(os.environ.get("LOAD_SATURATION_S", "30"))
FLOOR_S = float(os.environ.get("LOAD_FLOOR_S", "40"))
TERMS = ["logiciel", "sécurité", "paie", "cloud", "ERP", "formation", "santé", "Kubernetes", ""]
REGIONS = ["", "", "11", "84", "53", "76"]

state = {
    "signed_in": 0,  # users whose sign-in was answered
    "steady_at": None,
    "unassigned": list(range(USERS)),
    "records": [],
    "load": {},
}


def phase() -> str:
    started = state["steady_at"]
    if started is None:
        return "ramp"
    elapsed = time.monotonic() - started
    if elapsed < STEADY_S:
        return "steady"
    if elapsed < STEADY_S + SATURATION_S:
        return "saturation"
    if elapsed < STEADY_S + SATURATION_S + FLOOR_S:
        return "floor"
    return "done"


@events.request.add_listener
def record(request_type, name, response_time, response_length, exception, **kwargs):
    current = phase()
    if current not in state["load"]:  # the machine's load average as each phase begins
        state["load"][current] = os.getloadavg()[0]
    state["records"].append((current, time.monotonic(), name, response_time, exception is not None))


def _rps(records, name=None) -> float:
    chosen = [r for r in records if name is None or r[2] == name]
    if len(chosen) < 2:
        return 0.0
    span = max(r[1] for r in chosen) - min(r[1] for r in chosen)
    return len(chosen) / span if span else 0.0


@events.quitting.add_listener
def write_results(environment, **kwargs):
    records = state["records"]
    by_phase = {
        p: [r for r in records if r[0] == p] for p in ("ramp", "steady", "saturation", "floor")
    }
    steady = by_phase["steady"]
    times = sorted(r[3] for r in steady) or [0.0]
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    errors = [r for r in by_phase["ramp"] + steady if r[4]]
    per_page = {}
    for r in steady:
        per_page.setdefault(r[2], []).append(r[3])
    notes = {
        f"steady {name}": f"{len(v)} requests, median {statistics.median(v):.0f} ms, "
        f"max {max(v):.0f} ms"
        for name, v in sorted(per_page.items())
    }
    notes["phases"] = ", ".join(f"{p}: {len(v)} requests" for p, v in by_phase.items())
    notes["load average as each phase began"] = ", ".join(
        f"{p}: {load:.1f}" for p, load in state["load"].items()
    )
    notes["errors"] = ", ".join(sorted({r[2] for r in errors})) or "none"
    notes["saturation errors"] = str(sum(1 for r in by_phase["saturation"] if r[4]))
    results = {
        "load_200_p95_ms": p95,
        "load_200_errors": len(errors),
        "load_max_rps": _rps(by_phase["saturation"]),
        # The home page's own rate: the floor phase begins with the mix's requests still queued.
        "load_floor_rps": _rps(by_phase["floor"], "home"),
        "notes": notes,
    }
    with open(os.environ["LOAD_RESULTS"], "w") as out:
        json.dump(results, out)


class Phases(LoadTestShape):
    """All users started at SPAWN_RATE, kept until the floor phase ends."""

    def tick(self):
        return None if phase() == "done" else (USERS, SPAWN_RATE)


def think(user) -> float:
    return random.uniform(2.5, 7.5) if phase() in ("ramp", "steady") else 0


LINE_EDIT = re.compile(r"/declarations/\d+/lignes/(\d+)/modifier/")


class Declarant(FastHttpUser):
    """geventhttpclient rather than python-requests: Locust shares the 2 cores with the portal, and
    this client costs it several times less CPU per request."""

    wait_time = think
    network_timeout = connection_timeout = 120.0  # gunicorn's own timeout (60 s) answers first

    def on_start(self):
        n = state["unassigned"].pop()
        me = DATA["users"][n]
        # Each declarant from an address of its own, as the reverse proxy tells gunicorn
        # (ALLAUTH_TRUSTED_PROXY_COUNT=1, as in docker-compose): the per-IP sign-in limit holds.
        self.forwarded_for = f"10.20.{n // 250}.{n % 250 + 1}"
        self.declaration = me["declaration"]
        self.base = f"/declarations/{self.declaration}"
        self.step = 0
        self.line_ids: list[str] = []
        self.client.get("/compte/login/", headers=self.headers(), name="sign-in form")
        self.client.post(
            "/compte/login/",
            {
                "login": me["email"],
                "password": DATA["password"],
                "csrfmiddlewaretoken": self.csrf(),
            },
            headers=self.headers(),
            name="sign in",
        )
        state["signed_in"] += 1  # counted once answered: a failed sign-in is an error, not a hang
        if state["signed_in"] == USERS:
            state["steady_at"] = time.monotonic()

    def csrf(self) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    def headers(self, **extra) -> dict:
        return {"X-Forwarded-For": self.forwarded_for, **extra}

    def htmx(self) -> dict:
        return self.headers(
            **{"HX-Request": "true", "X-CSRFToken": self.csrf(), "Referer": self.host + self.base}
        )

    def line_data(self) -> dict:
        siren, name = random.choice(DATA["smes"])
        day = random.randrange(1, 28)
        return {
            "siren": siren,
            "sme_name": name,
            "amount": f"{random.randrange(1000, 900000)},{random.randrange(100):02d}",
            "order_date": f"{DATA['year']}-{random.randrange(1, 11):02d}-{day:02d}",
            "domain": str(random.choice(DATA["domains"])[0]),
            "reference": f"BC-{random.randrange(10**6):06d}",
            "payment_delay_days": random.choice(["30", "45", "60", ""]),
        }

    @task
    def next_step(self):
        if phase() == "floor":
            self.client.get("/", headers=self.headers(), name="home")
            return
        steps = [
            self.search,
            self.open_declaration,
            self.add_line,
            self.open_line_editor,
            self.edit_line,
            self.search,
            self.import_file,
            self.figures,
        ]
        steps[self.step % len(steps)]()
        self.step += 1

    def search(self):
        params = {"q": random.choice(TERMS)}
        region = random.choice(REGIONS)
        if region:
            params["region"] = region
        if random.random() < 0.2:
            params["page"] = str(random.randrange(2, 20))
        self.client.get(
            "/annuaire/", params=params, headers=self.headers(), name="directory search"
        )

    def open_declaration(self):
        response = self.client.get(f"{self.base}/", headers=self.headers(), name="declaration")
        self.line_ids = LINE_EDIT.findall(response.text or "") or self.line_ids

    def add_line(self):
        self.client.post(
            f"{self.base}/lignes/ajouter/",
            self.line_data(),
            headers=self.htmx(),
            name="add line (htmx)",
        )

    def open_line_editor(self):
        if self.line_ids:
            self.editing = random.choice(self.line_ids)
            self.client.get(
                f"{self.base}/lignes/{self.editing}/modifier/",
                headers=self.htmx(),
                name="line editor (htmx)",
            )

    def edit_line(self):
        if getattr(self, "editing", None):
            self.client.post(
                f"{self.base}/lignes/{self.editing}/modifier/",
                self.line_data(),
                headers=self.htmx(),
                name="edit line (htmx)",
            )

    def import_file(self):
        self.client.get(f"{self.base}/import/", headers=self.headers(), name="import form")
        rows = ["SIREN;Raison sociale;Montant HT (€);Date de commande;Domaine;Référence;Délai"]
        for i in range(200):
            siren, name = random.choice(DATA["smes"])
            domain = random.choice(DATA["domains"])[1]
            rows.append(
                f"{siren};{name};{random.randrange(1000, 90000)},00;"
                f"{random.randrange(1, 28):02d}/{random.randrange(1, 11):02d}/{DATA['year']};"
                f"{domain};IMP-{i:04d};45"
            )
        body = ("\n".join(rows) + "\n").encode("utf-8")
        response = self.client.post(
            f"{self.base}/import/",
            {"csrfmiddlewaretoken": self.csrf()},
            files={"file": ("commandes.csv", body, "text/csv")},
            headers=self.headers(Referer=self.host + self.base),
            name="import upload (200 lines)",
        )
        match = re.search(r"/import/(\d+)/confirmer/", response.text or "")
        if not match:
            response.failure = True
            events.request.fire(
                request_type="POST",
                name="import check (no confirm form)",
                response_time=0,
                response_length=0,
                exception=RuntimeError("no confirm form"),
                context={},
            )
            return
        self.client.post(
            f"{self.base}/import/{match.group(1)}/confirmer/",
            {"mode": "add", "csrfmiddlewaretoken": self.csrf()},
            headers=self.headers(Referer=self.host + self.base),
            name="import confirm",
        )

    def figures(self):
        self.client.get("/declarations/chiffres/", headers=self.headers(), name="account figures")
