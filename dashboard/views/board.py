"""The board: the user's applications in columns by stage; a card moves with one choice."""

from __future__ import annotations

import streamlit as st

from dashboard import queries, scope
from dashboard.components import forms
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
CARDS_PER_STATUS = 8


def move_key(application_id: int) -> str:
    """The session key of a card's "move to" choice."""
    return f"board.move.{application_id}"


def _move(application_id: int) -> None:
    target = st.session_state[move_key(application_id)]
    forms.attempt(
        "board",
        # No note: the timeline already shows the move and when it happened.
        lambda: scope.change_status(application_id, target),
        f"Moved to {status_label(target)}.",
    )


def _card(application: JobApplication) -> None:
    with st.container(border=True):
        st.markdown(f"**{md(application.job_title)}**  \n{md(application.company)}")
        st.caption(f"{status_label(application.status)} · {application.application_date:%Y-%m-%d}")
        statuses = list(S)
        st.session_state[move_key(application.id)] = application.status
        st.selectbox(
            f"Move #{application.id} to",
            statuses,
            format_func=status_label,
            key=move_key(application.id),
            on_change=_move,
            args=(application.id,),
        )


def render(user_id: int, breakdown: dict[str, int]) -> None:
    """The board; ``breakdown`` counts the user's applications per status."""
    forms.general_error("board", ())
    columns = st.columns(len(STAGES))
    for column, (stage, statuses) in zip(columns, STAGES.items(), strict=True):
        with column:
            total = sum(breakdown.get(s.value, 0) for s in statuses)
            st.markdown(f"### {stage} ({total})")
            for status in statuses:
                count = breakdown.get(status.value, 0)
                if not count:
                    continue
                criteria = queries.ApplicationFilter(statuses=(status,))
                cards = queries.page_of_applications(user_id, criteria, CARDS_PER_STATUS, 0)
                for application in cards:
                    _card(application)
                if count > len(cards):
                    st.caption(f"+{count - len(cards)} more {status_label(status)}")
