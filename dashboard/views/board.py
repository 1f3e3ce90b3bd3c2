"""The board: the applications matching the filters, in columns by stage, a page per column.

A card moves by dragging it to another column (``streamlit-sortables``), or,
the accessible way, by choosing it and its new status in the move form below
the board. Either way the move is the normal status change (history and
event). Each column pages through its cards, so every card is reachable.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit_sortables import sort_items  # type: ignore[import-untyped]  # ships no types

from dashboard import queries, scope
from dashboard.components import forms, time_zone
from dashboard.components.status import status_label
from dashboard.components.text import md
from database.models import ApplicationStatus as S
from database.models import JobApplication

STAGES: dict[str, tuple[S, ...]] = {
    "Applied": (S.PENDING, S.APPLIED),
    "Screening": (S.SCREENING,),
    "Interviewing": (S.INTERVIEW_SCHEDULED, S.INTERVIEWED, S.TECHNICAL_TEST),
    "Offer": (S.OFFER_RECEIVED, S.OFFER_ACCEPTED, S.OFFER_REJECTED),
    "Closed": (S.REJECTED, S.WITHDRAWN),
}
#: The status a card dropped on a column takes (the move form chooses any exact status).
DROP_STATUS: dict[str, S] = {
    "Applied": S.APPLIED,
    "Screening": S.SCREENING,
    "Interviewing": S.INTERVIEW_SCHEDULED,
    "Offer": S.OFFER_RECEIVED,
    "Closed": S.REJECTED,
}
CARDS_PER_PAGE = 10
FORM = "board"
MOVE_APPLICATION = "board.move.application"
MOVE_STATUS = "board.move.status"
DRAG = "board.drag"
_CARD_ID = re.compile(r"^#(\d+) ")


@dataclass(frozen=True)
class Column:
    """One stage of the board: how many cards match, which page is shown, its cards."""

    stage: str
    total: int
    page: int
    pages: int
    cards: tuple[JobApplication, ...]

    @property
    def first(self) -> int:
        """The position of the first card shown (1-based; 0 when there is none)."""
        return (self.page - 1) * CARDS_PER_PAGE + 1 if self.cards else 0


def page_key(stage: str) -> str:
    """The session key of the page a column shows."""
    return f"board.page.{stage}"


def stage_filter(
    criteria: queries.ApplicationFilter, stage: str
) -> queries.ApplicationFilter | None:
    """``criteria`` narrowed to the stage's statuses; ``None`` when the filter excludes them all.

    Every other criterion (text, sources, dates, and whatever the filter grows)
    is kept as it is. The board shows the active applications only.
    """
    statuses = STAGES[stage]
    if criteria.statuses:
        wanted = {S(s) for s in criteria.statuses}
        statuses = tuple(s for s in statuses if s in wanted)
        if not statuses:
            return None
    return dataclasses.replace(
        criteria, statuses=statuses, include_archived=False, archived_only=False
    )


def _column(user_id: int, criteria: queries.ApplicationFilter, stage: str) -> Column:
    narrowed = stage_filter(criteria, stage)
    total = 0 if narrowed is None else queries.count_applications(user_id, narrowed)
    pages = max(1, -(-total // CARDS_PER_PAGE))
    page = min(max(1, int(st.session_state.get(page_key(stage)) or 1)), pages)
    st.session_state[page_key(stage)] = page
    cards: list[JobApplication] = []
    if narrowed is not None and total:
        offset = (page - 1) * CARDS_PER_PAGE
        cards = queries.page_of_applications(user_id, narrowed, CARDS_PER_PAGE, offset)
    return Column(stage, total, page, pages, tuple(cards))


def card_text(application: JobApplication) -> str:
    """A card as the drag-and-drop board shows it (plain text, starting with its id)."""
    return f"#{application.id} {application.job_title} · {application.company}"


def dropped(before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]) -> dict[int, str]:
    """The cards the person dragged to another column: application id -> stage.

    ``before`` is the layout the board drew and ``after`` what the component
    returned; a card reordered within its column is no move.
    """

    def stages(layout: Sequence[dict[str, Any]]) -> dict[int, str]:
        found: dict[int, str] = {}
        for container, stage in zip(layout, STAGES, strict=False):
            for item in container.get("items", ()):
                match = _CARD_ID.match(str(item))
                if match:
                    found[int(match.group(1))] = stage
        return found

    was, now = stages(before), stages(after)
    return {card: stage for card, stage in now.items() if card in was and was[card] != stage}


def _move(application_id: int, status: S) -> None:
    forms.attempt(
        FORM,
        # No note: the timeline already shows the move and when it happened.
        lambda: scope.change_status(application_id, status),
        f"Moved #{application_id} to {status_label(status)}.",
    )


def _turn(stage: str, step: int) -> None:
    st.session_state[page_key(stage)] = int(st.session_state.get(page_key(stage)) or 1) + step


def _drag_board(columns: list[Column]) -> None:
    layout = [
        {"header": column.stage, "items": [card_text(a) for a in column.cards]}
        for column in columns
    ]
    # A new layout is a new component: its last value never replays an old drag.
    key = f"board.sortable.{hash(repr(layout))}"
    after = sort_items(layout, multi_containers=True, direction="vertical", key=key)
    moves = dropped(layout, after or [])
    for application_id, stage in moves.items():
        _move(application_id, DROP_STATUS[stage])
    if moves:
        st.rerun()


def _cards(column: Column) -> None:
    for application in column.cards:
        with st.container(border=True):
            st.markdown(f"**{md(application.job_title)}**  \n{md(application.company)}")
            st.caption(
                f"#{application.id} · {status_label(application.status)} · "
                f"{time_zone.day(application.application_date)}"
            )
            if application.tags:
                st.caption(" ".join(f"`{md(tag.name)}`" for tag in application.tags))


def _pager(column: Column) -> None:
    if column.total:
        last = column.first + len(column.cards) - 1
        st.caption(f"{column.first}-{last} of {column.total}")
    if column.pages > 1:
        back, forward = st.columns(2)
        back.button(
            "Previous",
            key=f"board.previous.{column.stage}",
            disabled=column.page <= 1,
            on_click=_turn,
            args=(column.stage, -1),
        )
        forward.button(
            "Next",
            key=f"board.next.{column.stage}",
            disabled=column.page >= column.pages,
            on_click=_turn,
            args=(column.stage, 1),
        )


def _submit_move() -> None:
    chosen = st.session_state.get(MOVE_APPLICATION)
    status = st.session_state.get(MOVE_STATUS)
    if not isinstance(chosen, int):
        forms.set_error(FORM, "application", "Choose the application to move.")
        return
    _move(chosen, S(status or S.APPLIED))


def _move_form(columns: list[Column]) -> None:
    options = {
        a.id: f"#{a.id} {a.job_title} at {a.company}" for column in columns for a in column.cards
    }
    if not options:
        return
    with st.form(FORM):
        st.markdown("**Move an application**")
        left, right = st.columns(2)
        left.selectbox(
            "Application", list(options), format_func=lambda i: options[i], key=MOVE_APPLICATION
        )
        right.selectbox("Move to status", list(S), format_func=status_label, key=MOVE_STATUS)
        forms.field_error(FORM, "application")
        st.form_submit_button("Move", on_click=_submit_move)


def render(user_id: int, criteria: queries.ApplicationFilter) -> None:
    """The board of the user's active applications matching ``criteria``."""
    forms.general_error(FORM, ("application",))
    columns = [_column(user_id, criteria, stage) for stage in STAGES]
    for place, column in zip(st.columns(len(columns)), columns, strict=True):
        with place:
            st.markdown(f"### {column.stage} ({column.total})")
            _pager(column)
    drag = st.toggle(
        "Drag and drop",
        value=True,
        key=DRAG,
        help="Off: the cards as text, for reading or a screen reader; move them with the form.",
    )
    if drag:
        _drag_board(columns)
    else:
        for place, column in zip(st.columns(len(columns)), columns, strict=True):
            with place:
                _cards(column)
    st.caption(
        "A card dropped on a column takes its first status (Interviewing: interview scheduled,"
        " Closed: rejected); the form below sets any status. Archived applications are not"
        " on the board."
    )
    _move_form(columns)
