"""What the programme report may publish: disclosure control over all its tables at once.

The report's tables share their margins, so they are protected together (`disclosure.suppress`):

- the key figures publish the SME purchases T and the registered-SME purchases R, hence also
  their difference U = T - R (the unregistered SMEs' part, never printed but computable);
- the regions, the domains and the size bands each add up to T; the regions (and the size bands)
  other than "not known" also add up to R whenever every registered SME has a region (a size);
- a cell's share is its amount over T.

An edition's report also shows its members' SME purchases from every SME, M ("members_total"):
M - T, their purchases outside the edition ("outside"), is never printed but computable, and is
protected like U (M is hidden when it would reveal it).

T stays shown unless a primary rule hides it (it is the report's headline); R may be hidden to
protect U or a region. Every cell of a breakdown, its share, its member and SME counts are shown
or "n.s." together; the shares are hidden too when T is (amount ÷ share would give T back). The
rendering (PDF, XLSX, public key figures, map) reads its decisions from `programme_disclosure`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from disclosure import Cell, Constraint, Suppression, suppress

from .figures import BreakdownRow, ProgrammeFigures

TOTAL = ("total", "")
REGISTERED = ("registered", "yes")
UNREGISTERED = ("registered", "no")
MEMBERS_TOTAL = ("members_total", "")
OUTSIDE = ("outside", "")
TABLES = ("region", "domain", "size")
EMPTY = Cell(members=0, amount=0)

# Key figures (procurement.figures.KEY_FIGURES keys) that show T, or R, or a ratio of them.
TOTAL_FIGURES = frozenset({"sme_purchases", "sme_share", "registered_share"})
REGISTERED_FIGURES = frozenset({"registered_sme_purchases", "registered_share"})


@dataclass(frozen=True)
class Disclosure:
    """The report's suppression decisions, by (table, key)."""

    suppression: Suppression = field(default_factory=lambda: Suppression(primary={}))
    # Year N-1's key figures (shown next to year N's): their own total and registered split.
    previous: Suppression = field(default_factory=lambda: Suppression(primary={}))

    def hidden(self, table: str, key: str) -> bool:
        return self.suppression.hidden((table, key))

    @property
    def total_hidden(self) -> bool:
        return self.suppression.hidden(TOTAL)

    @property
    def registered_hidden(self) -> bool:
        return self.suppression.hidden(REGISTERED)

    @property
    def members_total_hidden(self) -> bool:
        """An edition's members' total SME purchases (all SMEs) is "n.s."."""
        return self.suppression.hidden(MEMBERS_TOTAL)

    def share_hidden(self, table: str, key: str) -> bool:
        return self.hidden(table, key) or self.total_hidden

    @property
    def hidden_key_figures(self) -> frozenset[str]:
        """Key figures of the year (and their change from N-1) shown as "n.s."."""
        hidden: set[str] = set()
        if self.total_hidden:
            hidden |= TOTAL_FIGURES
        if self.registered_hidden:
            hidden |= REGISTERED_FIGURES
        return frozenset(hidden)

    @property
    def hidden_previous_key_figures(self) -> frozenset[str]:
        """Key figures of year N-1 (and the change from them) shown as "n.s."."""
        hidden: set[str] = set()
        if self.previous.hidden(TOTAL):
            hidden |= TOTAL_FIGURES
        if self.previous.hidden(REGISTERED):
            hidden |= REGISTERED_FIGURES
        return frozenset(hidden)

    @property
    def primary_count(self) -> int:
        return self.suppression.primary_count

    @property
    def secondary_count(self) -> int:
        return self.suppression.secondary_count

    def counts(self) -> dict[str, int]:
        """How many published cells are hidden, and why (the benchmark quotes them)."""
        return {
            "hidden": self.primary_count + self.secondary_count,
            "primary": self.primary_count,
            "secondary": self.secondary_count,
        }


def _cells(rows: list[BreakdownRow], table: str) -> dict[tuple[str, str], Cell]:
    return {(table, row.key): row.cell() for row in rows}


def _key_figures_problem(margins: dict[str, list[BreakdownRow]]):
    """The total, registered and unregistered purchases, and how they add up."""
    cells = {TOTAL: margins["total"][0].cell(), REGISTERED: EMPTY, UNREGISTERED: EMPTY}
    cells |= _cells(margins.get("registered", []), "registered")
    constraints = [Constraint((REGISTERED, UNREGISTERED), TOTAL)]
    if margins.get("members_total"):  # an edition's report: M = T + outside
        cells[MEMBERS_TOTAL] = margins["members_total"][0].cell()
        outside = margins.get("outside")
        cells[OUTSIDE] = outside[0].cell() if outside else EMPTY
        constraints.append(Constraint((TOTAL, OUTSIDE), MEMBERS_TOTAL))
    return cells, constraints


def _previous_year(figures: ProgrammeFigures) -> Suppression:
    """Year N-1 publishes only its key figures: the same margins, without breakdowns."""
    if not figures.previous_margins.get("total"):
        return Suppression(primary={})
    cells, constraints = _key_figures_problem(figures.previous_margins)
    try:
        return suppress(cells, constraints, fixed={TOTAL}, unpublished={UNREGISTERED})
    except ValueError:  # as below: never seen; the total would go too
        return suppress(cells, constraints, unpublished={UNREGISTERED})


def programme_disclosure(figures: ProgrammeFigures) -> Disclosure:
    """Decide which cells of the programme report are shown (see the module's docstring)."""
    margins = figures.margins
    previous = _previous_year(figures)
    if not margins.get("total"):
        if margins.get("members_total"):  # an edition without lines: only M, equal to outside
            only = {MEMBERS_TOTAL: margins["members_total"][0].cell()}
            return Disclosure(suppression=suppress(only, []), previous=previous)
        return Disclosure(previous=previous)  # no order line: nothing to protect
    cells, constraints = _key_figures_problem(margins)
    registered_amount = cells[REGISTERED].amount
    for table in TABLES:
        rows: list[BreakdownRow] = getattr(figures, f"{table}s")
        table_cells = _cells(rows, table)
        cells |= table_cells
        constraints.append(Constraint(tuple(table_cells), TOTAL))
        known = tuple((table, row.key) for row in rows if row.key)
        if table != "domain" and sum(cells[k].amount for k in known) == registered_amount:
            constraints.append(Constraint(known, REGISTERED))
    unpublished = {UNREGISTERED} | ({OUTSIDE} if OUTSIDE in cells else set())
    try:
        result = suppress(cells, constraints, fixed={TOTAL}, unpublished=unpublished)
    except ValueError:  # cannot happen with these tables; if it did, the total goes too
        result = suppress(cells, constraints, unpublished=unpublished)
    return Disclosure(suppression=result, previous=previous)
