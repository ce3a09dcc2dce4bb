"""Cell suppression, as statistical offices do it: primary rules, then secondary suppression.

A published table is a set of cells (a region, a domain, a size band… and the totals) tied by
linear constraints: the parts of a table add up to its total. A cell is hidden ("n.s.") when:

- **threshold rule**: fewer than `THRESHOLD` (3) members contribute to it;
- **dominance rule**: one member accounts for more than `DOMINANCE` (85 %) of its amount;
- **secondary suppression**: hiding the primary cells is not enough when the constraints give
  them back (total minus the cells shown): other cells are hidden, the smallest first, until no
  hidden value follows from what is shown. In a one-dimensional table with a published total,
  one hidden cell brings the next smallest with it; a hidden total needs nothing more; in a table
  with margins, each row and each column is protected the same way.

"Follows from what is shown" is checked exactly: a hidden cell is exposed when the unit vector of
its value lies in the row space of the constraints restricted to the hidden cells (every linear
combination of published figures is tried at once, by Gaussian elimination over fractions).

Pure functions over plain values: no database, no Django, none of the project's apps.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

THRESHOLD = 3
DOMINANCE = Decimal("0.85")

Key = Hashable


class Reason(enum.StrEnum):
    THRESHOLD = "threshold"
    DOMINANCE = "dominance"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class Cell:
    """What the rules need to know about a cell: how many members contribute, its amount, and
    the largest single member's part of that amount."""

    members: int
    amount: Decimal
    largest: Decimal = Decimal(0)


@dataclass(frozen=True)
class Constraint:
    """`sum(parts) == total`: a table (or a row or column of one) and its margin."""

    parts: tuple[Key, ...]
    total: Key

    def cells(self) -> tuple[Key, ...]:
        return (*self.parts, self.total)


@dataclass(frozen=True)
class Suppression:
    """Which cells are hidden, and why."""

    primary: Mapping[Key, Reason]
    secondary: frozenset = field(default_factory=frozenset)
    unpublished: frozenset = field(default_factory=frozenset)

    def hidden(self, key: Key) -> bool:
        return key in self.primary or key in self.secondary

    def reason(self, key: Key) -> Reason | None:
        if key in self.primary:
            return self.primary[key]
        return Reason.SECONDARY if key in self.secondary else None

    @property
    def primary_count(self) -> int:
        """Primary cells that a reader would see (cells never published are not counted)."""
        return sum(1 for key in self.primary if key not in self.unpublished)

    @property
    def secondary_count(self) -> int:
        return len(self.secondary)


def primary_reason(
    cell: Cell, *, threshold: int = THRESHOLD, dominance: Decimal = DOMINANCE
) -> Reason | None:
    """Why this cell may not be shown on its own, if it may not."""
    if cell.members == 0:
        return None  # an empty cell says nothing about anyone
    if cell.members < threshold:
        return Reason.THRESHOLD
    if cell.amount > 0 and cell.largest > dominance * cell.amount:
        return Reason.DOMINANCE
    return None


def determined(hidden: Collection[Key], constraints: Iterable[Constraint]) -> set[Key]:
    """The hidden cells whose value follows, by some linear combination of the constraints,
    from the cells shown."""
    variables = sorted(hidden, key=repr)
    column = {key: i for i, key in enumerate(variables)}
    rows: list[list[Fraction]] = []
    for constraint in constraints:
        row = [Fraction(0)] * len(variables)
        for key in constraint.parts:
            if key in column:
                row[column[key]] += 1
        if constraint.total in column:
            row[column[constraint.total]] -= 1
        if any(row):
            rows.append(row)
    pivots = _reduce(rows, len(variables))
    free = [j for j in range(len(variables)) if j not in pivots]
    return {
        variables[j]
        for j, row_index in pivots.items()
        if all(rows[row_index][f] == 0 for f in free)
    }


def _reduce(rows: list[list[Fraction]], width: int) -> dict[int, int]:
    """Reduced row echelon form, in place; returns {pivot column: its row}."""
    pivots: dict[int, int] = {}
    next_row = 0
    for j in range(width):
        pivot = next((i for i in range(next_row, len(rows)) if rows[i][j] != 0), None)
        if pivot is None:
            continue
        rows[next_row], rows[pivot] = rows[pivot], rows[next_row]
        lead = rows[next_row][j]
        rows[next_row] = [value / lead for value in rows[next_row]]
        for i in range(len(rows)):
            if i != next_row and rows[i][j] != 0:
                factor = rows[i][j]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[next_row], strict=True)]
        pivots[j] = next_row
        next_row += 1
    return pivots


def suppress(
    cells: Mapping[Key, Cell],
    constraints: Iterable[Constraint],
    *,
    fixed: Collection[Key] = (),
    unpublished: Collection[Key] = (),
    threshold: int = THRESHOLD,
    dominance: Decimal = DOMINANCE,
) -> Suppression:
    """Apply the primary rules, then hide other cells until no hidden cell can be computed.

    `fixed` cells are never chosen for secondary suppression (they stay shown unless a primary
    rule hides them). `unpublished` cells are never shown (a difference a reader could still
    compute, say): they are protected only when a primary rule applies to them.
    """
    constraints = [c for c in constraints if c.parts]
    unpublished = frozenset(unpublished)
    primary = {
        key: reason
        for key, cell in cells.items()
        if (reason := primary_reason(cell, threshold=threshold, dominance=dominance))
    }
    margins = {c.total for c in constraints}
    hidden = set(primary) | unpublished
    protected = set(primary)  # hidden cells whose value must not follow

    def exposed(hidden_now: set[Key], protected_now: set[Key]) -> set[Key]:
        return determined(hidden_now, constraints) & protected_now

    def order(key: Key):
        # Inner cells before margins, then the smallest first (repr breaks ties stably).
        return (key in margins, cells[key].amount, repr(key))

    secondary: set[Key] = set()
    while exposed_now := exposed(hidden, protected):
        target = min(exposed_now, key=lambda k: (cells[k].amount, repr(k)))
        near = {k for c in constraints if target in c.cells() for k in c.cells()}
        touching = {k for c in constraints if hidden & set(c.cells()) for k in c.cells()}
        candidates = sorted(
            (
                k
                for k in near | touching
                # An empty cell hidden protects nothing: a reader knows it holds nothing.
                if k not in hidden and k not in fixed and k in cells and cells[k].amount > 0
            ),
            key=order,
        )
        choice = next(
            (k for k in candidates if target not in exposed(hidden | {k}, protected | {k})),
            None,
        )
        if choice is None:  # no single cell is enough: the smallest next to it, and go on
            nearby = [k for k in candidates if k in near]
            choice = (nearby or candidates or [None])[0]
        if choice is None:
            raise ValueError(f"cell {target!r} cannot be protected: every other cell is fixed")
        hidden.add(choice)
        protected.add(choice)
        secondary.add(choice)

    # Greedy choices may have hidden more than needed: show again what can be, largest first.
    for key in sorted(secondary, key=order, reverse=True):
        if not exposed(hidden - {key}, protected - {key}):
            hidden.discard(key)
            protected.discard(key)
            secondary.discard(key)
    return Suppression(
        primary=primary, secondary=frozenset(secondary), unpublished=unpublished & set(cells)
    )
