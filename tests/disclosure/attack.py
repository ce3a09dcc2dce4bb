"""The attacker: every linear recovery of a hidden value from published ones.

Written apart from `disclosure` (it shares no code with the module's own check), and used by the
tests of the module, of the report's tables and of the generated XLSX annex.
"""

from fractions import Fraction


def rank(rows: list[list[Fraction]]) -> int:
    """Rank by plain Gaussian elimination (a copy: the attack shares no code with the module)."""
    rows = [list(r) for r in rows]
    rank_ = 0
    width = len(rows[0]) if rows else 0
    for column in range(width):
        pivot = next((i for i in range(rank_, len(rows)) if rows[i][column]), None)
        if pivot is None:
            continue
        rows[rank_], rows[pivot] = rows[pivot], rows[rank_]
        for i in range(len(rows)):
            if i != rank_ and rows[i][column]:
                f = rows[i][column] / rows[rank_][column]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[rank_], strict=True)]
        rank_ += 1
    return rank_


def recoverable(
    shown: dict, hidden: set, equations: list[tuple[tuple, object]]
) -> dict[object, Fraction]:
    """Every hidden value a reader can compute exactly from the published ones.

    `equations` are (parts, total): sum of the parts equals the total. A hidden value is
    recoverable when some linear combination of the equations isolates it; then solving gives
    it. The explicit recoveries (a total minus its visible parts) are tried first, the general
    case by comparing ranks.
    """
    found: dict[object, Fraction] = {}
    # 1. Total minus the other cells, and a cell as its total minus the others, repeatedly.
    known = dict(shown)
    progress = True
    while progress:
        progress = False
        for parts, total in equations:
            unknown = [k for k in (*parts, total) if k not in known]
            if len(unknown) != 1:
                continue
            (k,) = unknown
            if k == total:
                value = sum(Fraction(known[p]) for p in parts)
            else:
                value = Fraction(known[total]) - sum(Fraction(known[p]) for p in parts if p != k)
            known[k] = value
            found[k] = value
            progress = True
    # 2. Any linear combination: e_k in the row space of the equations over the hidden cells.
    variables = sorted(hidden, key=repr)
    matrix = []
    for parts, total in equations:
        row = [Fraction(0)] * len(variables)
        for i, key in enumerate(variables):
            row[i] += sum(1 for p in parts if p == key) - (1 if total == key else 0)
        if any(row):
            matrix.append(row)
    base = rank(matrix) if matrix else 0
    for i, key in enumerate(variables):
        unit = [Fraction(int(j == i)) for j in range(len(variables))]
        if rank([*matrix, unit]) == base:
            found.setdefault(key, None)
    return found
