"""``/ws``: the WebSocket stream of the events the caller may see (see ``api/realtime.py``).

The credential is an access token or API key, as for every route: in an
``Authorization: Bearer`` header, or, from a browser (which cannot set
headers on a WebSocket), as the subprotocol pair ``["bearer", "<token>"]``,
to which the server answers with the subprotocol ``bearer``. A connection
without a live one is refused before it is accepted (close code 1008; an
HTTP 403 to the handshake). ``?since=<event id>`` replays every event after
that id first; a ``since`` that is not an event id is accepted and then
closed with code 4422 and the reason.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, WebSocket

from api.deps import CREDENTIALS_REFUSED
from api.realtime import UNAVAILABLE, Stream, hub_of, open_stream
from database.services.realtime import authenticated_actor
from utils.errors import DatabaseError, ValidationError

log = logging.getLogger(__name__)
router = APIRouter(tags=["realtime"])

#: The subprotocol that carries a browser's credential, followed by the token itself.
BEARER_SUBPROTOCOL = "bearer"
#: The close code of a request the server refuses as invalid (an HTTP 422 in the 4000 range).
INVALID_REQUEST = 4422
#: Policy violation: the connection has no live credential.
POLICY_VIOLATION = 1008
#: The largest event id (a signed 64-bit integer).
MAX_EVENT_ID = 2**63 - 1


@router.websocket("/ws")
async def stream_events(websocket: WebSocket) -> None:
    """Stream the caller's events (and, replayed first, those after ``?since``)."""
    try:
        stream = await _opened(websocket)
    except DatabaseError as exc:
        log.warning("refused a stream: %s", type(exc).__name__)
        await websocket.close(UNAVAILABLE.code, UNAVAILABLE.reason)
        return
    if stream is not None:
        await stream.run()


async def _opened(websocket: WebSocket) -> Stream | None:
    """The caller's stream, its handshake done; ``None`` when refused (closed with the reason)."""
    token, subprotocol = credential_of(websocket)
    actor = await hub_of(websocket.app).run(authenticated_actor, token) if token else None
    if actor is None:
        await websocket.close(POLICY_VIOLATION, CREDENTIALS_REFUSED)
        return None
    try:
        since = since_of(websocket.query_params.get("since"))
    except ValidationError as exc:
        await websocket.accept(subprotocol=subprotocol)
        await websocket.close(INVALID_REQUEST, str(exc))
        return None
    # Positioned before the handshake ends: what the client changes after it is streamed.
    stream = await open_stream(websocket, token, actor, since)
    await websocket.accept(subprotocol=subprotocol)
    return stream


def credential_of(websocket: WebSocket) -> tuple[str, str | None]:
    """The raw token (``""`` when none) and the subprotocol to accept with."""
    offered = list(websocket.scope.get("subprotocols") or ())
    subprotocol = BEARER_SUBPROTOCOL if BEARER_SUBPROTOCOL in offered else None
    scheme, _, header_token = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and header_token.strip():
        return header_token.strip(), subprotocol
    if subprotocol is not None:
        position = offered.index(BEARER_SUBPROTOCOL)
        if position + 1 < len(offered):
            return offered[position + 1], subprotocol
    return "", subprotocol


def since_of(raw: str | None) -> int | None:
    """The event id of ``?since`` (``None`` if absent); :class:`ValidationError` if not one."""
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_EVENT_ID:
        raise ValidationError("since", "must be an event id (a whole number, 0 or more)", raw)
    return int(raw)
