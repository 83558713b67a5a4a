"""The Graph API client against the local stand-in: retries on 5xx/429, none on 4xx."""

from __future__ import annotations

import pytest

from channels.errors import GraphRejected, GraphUnavailable
from channels.graph import GraphClient
from tests.support.graph_standin import GraphStandIn
from tests.support.live_server import free_port


def _client(base: str, retries: int = 3) -> GraphClient:
    return GraphClient(base_url=base, version="v21.0", max_retries=retries, backoff=0.001,
                       timeout=2)


def test_a_send_goes_to_the_configured_base_and_version_with_a_bearer_token(
        graph: GraphStandIn) -> None:
    data = _client(graph.url).post("106540352242922/messages", token="tok-1",
                                   json={"to": "5491155550000"})
    assert data["messages"][0]["id"].startswith("wamid.")
    [request] = graph.requests
    assert request.path == "/v21.0/106540352242922/messages"
    assert request.headers["authorization"] == "Bearer tok-1"
    assert "tok-1" not in request.path and request.query == {}


@pytest.mark.parametrize("statuses", [(500,), (429,), (502, 503), (500, 429, 500)])
def test_5xx_and_429_are_retried_until_success(graph: GraphStandIn,
                                                statuses: tuple[int, ...]) -> None:
    graph.fail(*statuses)
    _client(graph.url).post("me/messages", token="t", json={"recipient": {"id": "1"}})
    assert len(graph.requests) == len(statuses) + 1


def test_retries_are_bounded(graph: GraphStandIn) -> None:
    graph.fail(500, 500, 500, 500, 500)
    with pytest.raises(GraphUnavailable) as info:
        _client(graph.url, retries=2).post("me/messages", token="t", json={})
    assert len(graph.requests) == 3 and info.value.status == 500


@pytest.mark.parametrize(("status", "code"), [(400, 131047), (403, 10), (401, 190), (404, 100)])
def test_4xx_policy_errors_are_not_retried(graph: GraphStandIn, status: int, code: int) -> None:
    graph.fail(status, code=code)
    with pytest.raises(GraphRejected) as info:
        _client(graph.url).post("me/messages", token="secret-token", json={})
    assert len(graph.requests) == 1
    assert (info.value.status, info.value.error_code) == (status, str(code))
    assert "secret-token" not in str(info.value)


def test_a_dead_server_is_unavailable_after_retries() -> None:
    with pytest.raises(GraphUnavailable) as info:
        _client(f"http://127.0.0.1:{free_port()}", retries=1).get("123", token="t")
    assert info.value.error_code == "network"


def test_a_send_once_is_not_retried_after_meta_may_have_it_but_is_before(
        graph: GraphStandIn) -> None:
    graph.slow(0.6)  # accepted, and the answer comes after the client gave up
    client = GraphClient(base_url=graph.url, version="v21.0", max_retries=3, backoff=0.001,
                         timeout=0.2)
    with pytest.raises(GraphUnavailable) as info:
        client.post("106540352242922/messages", token="t", json={"to": "1"}, once=True)
    assert info.value.maybe_sent and len(graph.requests) == 1
    with pytest.raises(GraphUnavailable) as refused:  # never left: retrying is harmless
        _client(f"http://127.0.0.1:{free_port()}", retries=1).post("me/messages", token="t",
                                                                   json={}, once=True)
    assert not refused.value.maybe_sent
