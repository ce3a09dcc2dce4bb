"""Published tables cannot be turned back into a hidden cell: random programmes, every linear
recovery tried (by an attack written here, independently of the module's own check)."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure import Cell, Constraint, Reason, primary_reason, suppress

from .attack import recoverable

# --- random programmes ---------------------------------------------------------------------

amounts = st.one_of(
    st.just(0),
    st.just(0),
    st.integers(min_value=1, max_value=1_000),
    st.integers(min_value=1, max_value=10_000_000),  # a giant next to small ones: dominance
)


@st.composite
def programme(draw, *, max_members=7, max_cells=9):
    """members x cells amounts (zeros where a member bought nothing in that cell)."""
    members = draw(st.integers(min_value=1, max_value=max_members))
    cells = draw(st.integers(min_value=1, max_value=max_cells))
    return [[draw(amounts) for _c in range(cells)] for _m in range(members)]


@st.composite
def grid_programme(draw):
    """members x (4 rows x 1 to 4 columns) amounts, flattened row by row."""
    width = draw(st.integers(min_value=1, max_value=4))
    members = draw(st.integers(min_value=1, max_value=6))
    return [[draw(amounts) for _c in range(4 * width)] for _m in range(members)]


def cell_of(contributions: list[int]) -> Cell:
    nonzero = [a for a in contributions if a]
    return Cell(
        members=len(nonzero), amount=Decimal(sum(nonzero)), largest=Decimal(max(nonzero, default=0))
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=programme(), total_fixed=st.booleans())
def test_no_hidden_cell_of_a_table_with_a_total_can_be_recovered(data, total_fixed):
    columns = list(zip(*data, strict=True))
    cells = {f"cell{j}": cell_of(list(col)) for j, col in enumerate(columns) if any(col)}
    if not cells:
        return
    cells["total"] = cell_of([sum(row) for row in data])
    table = Constraint(parts=tuple(k for k in cells if k != "total"), total="total")
    result = suppress(cells, [table], fixed={"total"} if total_fixed else ())

    for key, cell in cells.items():
        if primary_reason(cell):
            assert result.hidden(key), key
    hidden = {k for k in cells if result.hidden(k)}
    shown = {k: cells[k].amount for k in cells if k not in hidden}
    assert not recoverable(shown, hidden, [(table.parts, table.total)])

    # The rule as stated: with the total shown, one hidden cell brings the next smallest along;
    # with the total hidden, nothing more is hidden.
    primary = [k for k in table.parts if k in result.primary]
    if result.hidden("total"):
        assert result.secondary <= {"total"}
    elif len(primary) == 1:
        others = sorted((cells[k].amount, k) for k in table.parts if k not in result.primary)
        assert result.secondary == {others[0][1]}
    elif len(primary) >= 2:
        assert not result.secondary


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=grid_programme())
def test_no_hidden_cell_of_a_table_with_margins_can_be_recovered(grid):
    """Rows x columns with row totals, column totals and a grand total (member x cell amounts,
    the cells laid out in a grid of four rows)."""
    width = len(grid[0]) // 4
    cells = {}
    for r in range(4):
        for c in range(width):
            cells[r, c] = cell_of([member[r * width + c] for member in grid])
    for r in range(4):
        cells["row", r] = cell_of([sum(m[r * width : (r + 1) * width]) for m in grid])
    for c in range(width):
        cells["col", c] = cell_of([sum(m[r * width + c] for r in range(4)) for m in grid])
    cells["total"] = cell_of([sum(m) for m in grid])
    constraints = [
        *(Constraint(tuple((r, c) for c in range(width)), ("row", r)) for r in range(4)),
        *(Constraint(tuple((r, c) for r in range(4)), ("col", c)) for c in range(width)),
        Constraint(tuple(("row", r) for r in range(4)), "total"),
        Constraint(tuple(("col", c) for c in range(width)), "total"),
    ]
    result = suppress(cells, constraints)

    hidden = {k for k in cells if result.hidden(k)}
    for key, cell in cells.items():
        if primary_reason(cell):
            assert key in hidden
    shown = {k: cells[k].amount for k in cells if k not in hidden}
    assert not recoverable(shown, hidden, [(c.parts, c.total) for c in constraints])


def test_dominance_hides_a_cell_where_one_member_makes_most_of_the_amount():
    # Five members, one of them 900 000 € out of 1 000 000 €: readable as that member's figure.
    dominated = Cell(members=5, amount=Decimal(1_000_000), largest=Decimal(900_000))
    assert primary_reason(dominated) == Reason.DOMINANCE
    # Exactly 85 % is allowed; the rule is "more than 85 %".
    assert primary_reason(Cell(members=5, amount=Decimal(100), largest=Decimal(85))) is None
    cells = {
        "cloud": dominated,
        "data": Cell(members=4, amount=Decimal(300_000), largest=Decimal(100_000)),
        "cyber": Cell(members=6, amount=Decimal(2_000_000), largest=Decimal(500_000)),
        "total": Cell(members=8, amount=Decimal(3_300_000), largest=Decimal(1_000_000)),
    }
    result = suppress(cells, [Constraint(("cloud", "data", "cyber"), "total")])
    assert result.reason("cloud") == Reason.DOMINANCE
    # Total minus cyber would give cloud + data only: the smallest other cell goes too.
    assert result.reason("data") == Reason.SECONDARY
    assert not result.hidden("cyber") and not result.hidden("total")
    assert (result.primary_count, result.secondary_count) == (1, 1)


def test_threshold_hides_a_cell_of_one_or_two_members_but_not_an_empty_one():
    assert primary_reason(Cell(members=2, amount=Decimal(10), largest=Decimal(6))) == (
        Reason.THRESHOLD
    )
    assert primary_reason(Cell(members=3, amount=Decimal(30), largest=Decimal(10))) is None
    assert primary_reason(Cell(members=0, amount=Decimal(0))) is None


def test_a_difference_never_published_is_protected_through_its_margin():
    """Total and registered purchases shown give the unregistered ones: when those describe one
    member, the registered figure is hidden (the smaller margin), not the whole table."""
    cells = {
        "total": Cell(members=4, amount=Decimal(485), largest=Decimal(175)),
        "registered": Cell(members=4, amount=Decimal(460), largest=Decimal(150)),
        "unregistered": Cell(members=1, amount=Decimal(25), largest=Decimal(25)),
        "north": Cell(members=4, amount=Decimal(290), largest=Decimal(100)),
        "south": Cell(members=3, amount=Decimal(100), largest=Decimal(60)),
        "west": Cell(members=2, amount=Decimal(70), largest=Decimal(50)),
        "unknown": Cell(members=1, amount=Decimal(25), largest=Decimal(25)),
    }
    constraints = [
        Constraint(("registered", "unregistered"), "total"),
        Constraint(("north", "south", "west", "unknown"), "total"),
        Constraint(("north", "south", "west"), "registered"),
    ]
    result = suppress(cells, constraints, unpublished={"unregistered"})
    assert result.secondary == {"registered"}
    assert result.primary_count == 2  # west and unknown; the unpublished difference not counted
    hidden = {k for k in cells if result.hidden(k)}
    shown = {k: c.amount for k, c in cells.items() if k not in hidden}
    assert not recoverable(shown, hidden, [(c.parts, c.total) for c in constraints])
