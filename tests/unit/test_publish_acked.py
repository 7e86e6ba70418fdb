"""publish_acked (issue 21): which JetStream answers it sends again, with the same message id,
and which it raises. A scripted stand-in for nats-py's JetStream context: the logic under test
is ours; the real server is met in tests/integration/test_rotation.py."""

from __future__ import annotations

import asyncio
from typing import Any

import nats.errors
import nats.js.errors
import pytest

from scaleway_nats.nats import publish_acked
from scaleway_nats.reconnect import _Reconnections


class ScriptedJetStream:
    """Answers each publish with the next scripted outcome: an exception, "hang" (no answer
    until cancelled) or a value (the acknowledgement)."""

    def __init__(self, *outcomes: object) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[dict[str, str]] = []

    async def publish(self, subject: str, payload: bytes, **options: Any) -> object:
        self.sent.append(dict(options["headers"]))
        outcome = self.outcomes.pop(0)
        if outcome == "hang":
            await asyncio.sleep(3600)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


class Client:
    def __init__(self, js: ScriptedJetStream, reconnections: _Reconnections | None = None):
        self.js = js
        if reconnections is not None:
            self.scaleway_reconnections = reconnections

    def jetstream(self) -> ScriptedJetStream:
        return self.js


def _api_error(code: int, err_code: int) -> nats.js.errors.APIError:
    return nats.js.errors.APIError(code=code, err_code=err_code, description="scripted")


async def test_a_lost_answer_and_a_duplicate_in_process_are_sent_again_with_the_same_id() -> None:
    js = ScriptedJetStream(nats.errors.TimeoutError(), _api_error(409, 10158), "ack")
    ack = await publish_acked(Client(js), "s", b"x", msg_id="order-1")  # type: ignore[arg-type]
    assert ack == "ack"
    assert [h["Nats-Msg-Id"] for h in js.sent] == ["order-1"] * 3


async def test_a_refused_message_is_raised_at_once() -> None:
    full = _api_error(400, 10077)  # e.g. the stream refuses more messages
    js = ScriptedJetStream(full, "ack")
    with pytest.raises(nats.js.errors.APIError) as raised:
        await publish_acked(Client(js), "s", b"x", msg_id="m")  # type: ignore[arg-type]
    assert raised.value is full and len(js.sent) == 1


async def test_a_reconnect_ends_the_attempt_at_once() -> None:
    reconnections = _Reconnections()
    js = ScriptedJetStream("hang", "ack")
    sent = asyncio.ensure_future(
        publish_acked(Client(js, reconnections), "s", b"x", msg_id="m", attempt_timeout=3600)  # type: ignore[arg-type]
    )
    while not js.sent:
        await asyncio.sleep(0)
    reconnections.happened()  # what connect()'s reconnected_cb does
    assert await asyncio.wait_for(sent, 5) == "ack"
    assert len(js.sent) == 2


async def test_it_gives_up_at_the_deadline_with_the_last_error() -> None:
    js = ScriptedJetStream(*[nats.errors.TimeoutError()] * 100)
    with pytest.raises(nats.errors.TimeoutError):
        await publish_acked(Client(js), "s", b"x", msg_id="m", timeout=0.2)  # type: ignore[arg-type]
