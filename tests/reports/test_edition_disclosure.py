"""An edition's report also publishes its members' SME purchases from every SME (M): with the
edition's total T, a reader can compute their purchases outside the edition (M - T). No random
edition lets a reader recover a protected figure, that one included."""

import dataclasses
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import rendering
from reports.published import MEMBERS_TOTAL, OUTSIDE, REGISTERED, TOTAL, UNREGISTERED
from tests.disclosure.attack import recoverable

from .test_disclosure import NS, breakdown, programme_of, programmes, published, rows_of, sensitive


@st.composite
def editions(draw):
    members, smes, lines = draw(programmes())
    amount = st.one_of(
        st.integers(min_value=1, max_value=1_000), st.integers(min_value=1, max_value=5_000_000)
    )
    outside = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=members - 1),
                st.integers(min_value=0, max_value=len(smes) - 1),
                st.just("1"),
                amount.map(Decimal),
            ),
            max_size=6,
        )
    )
    return members, smes, lines, outside


def one_cell(lines, smes) -> list:
    total = sum((line[3] for line in lines), Decimal(0))
    return rows_of(breakdown(lines, lambda _s, _d: "", smes), total) if lines else []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edition=editions())
def test_no_figure_of_a_random_edition_report_gives_a_hidden_one_back(edition):
    members, smes, lines, outside = edition
    figures = programme_of(members, smes, lines)
    figures = dataclasses.replace(
        figures,
        margins={
            **figures.margins,
            "members_total": one_cell(lines + outside, smes),
            "outside": one_cell(outside, smes),
        },
    )
    # The programme's tables and key figures as published, with the edition's margins.
    shown, hidden, equations, disclosure = published(figures)
    members_total = sum((line[3] for line in lines + outside), Decimal(0))
    as_edition = dataclasses.replace(
        figures,
        edition_name="Édition",
        members_total=dataclasses.replace(figures.current, sme_purchases=members_total),
    )
    row = rendering.programme_key_rows(as_edition, disclosure)[-1]
    hidden.add(OUTSIDE)
    if row.value == NS:
        hidden.add(MEMBERS_TOTAL)
    else:
        shown[MEMBERS_TOTAL] = members_total
    equations.append(((TOTAL, OUTSIDE), MEMBERS_TOTAL))

    everyone = breakdown(lines + outside, lambda _s, _d: "", smes)[""]
    if sensitive(everyone["members"]):
        assert MEMBERS_TOTAL in hidden
    found = recoverable(shown, hidden, equations)
    empty = {REGISTERED} if not figures.current.registered_sme_purchases else set()
    assert set(found) <= {UNREGISTERED, OUTSIDE} | empty, found
    elsewhere = breakdown(outside, lambda _s, _d: "", smes).get("")
    if elsewhere and sensitive(elsewhere["members"]):
        assert OUTSIDE not in found
