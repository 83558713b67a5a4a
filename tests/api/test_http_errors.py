"""The one error shape: what the handlers answer, and what the OpenAPI document says."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from api.app import create_app
from api.http_errors import (
    ERROR_RESPONSES,
    UNHANDLED,
    install_error_handlers,
    issues,
    unprocessable,
)
from crm.settings import Settings

SECRET = "s3cr3t-0f-the-caller"


class _Body(BaseModel):
    days: int = Field(ge=1)


def _app() -> FastAPI:
    app = FastAPI(responses=ERROR_RESPONSES)
    install_error_handlers(app)

    @app.post("/validate")
    def validate(body: _Body) -> dict[str, int]:
        return {"days": body.days}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError(SECRET)

    @app.get("/rule")
    def rule() -> None:
        raise unprocessable("days must be even", loc=("body", "days"))

    @app.get("/string-422")
    def string_422() -> None:
        raise HTTPException(422, "a route that forgot the helper")

    @app.get("/conflict")
    def conflict() -> None:
        raise HTTPException(409, "Already there; pick another name.")

    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(_app(), raise_server_exceptions=False)


def test_validation_errors_say_where_and_what_but_not_the_value(client: TestClient) -> None:
    response = client.post("/validate", json={"days": -987654})
    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": ["body", "days"],
                                           "msg": "Input should be greater than or equal to 1",
                                           "type": "greater_than_equal"}]}
    assert "987654" not in response.text


def test_a_rule_of_a_route_is_a_422_in_the_list_shape(client: TestClient) -> None:
    assert client.get("/rule").json() == {"detail": [{"loc": ["body", "days"],
                                                      "msg": "days must be even",
                                                      "type": "value_error"}]}


def test_a_422_raised_with_a_string_still_takes_the_list_shape(client: TestClient) -> None:
    assert client.get("/string-422").json() == {"detail": [{
        "loc": [], "msg": "a route that forgot the helper", "type": "value_error"}]}


def test_other_4xx_keep_their_message_and_unknown_routes_are_json(client: TestClient) -> None:
    assert client.get("/conflict").json() == {"detail": "Already there; pick another name."}
    missing = client.get("/no-such-route")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
    wrong_method = client.delete("/conflict")
    assert (wrong_method.status_code, wrong_method.json()) == (
        405, {"detail": "Method Not Allowed"})


def test_an_unhandled_exception_is_a_generic_500(client: TestClient) -> None:
    response = client.get("/boom")
    assert (response.status_code, response.json()) == (500, {"detail": UNHANDLED})
    assert SECRET not in response.text


def test_issues_keep_plain_names_hide_client_keys_and_drop_surrogates() -> None:
    found = issues([{"loc": ("body", "utm", "utm_source"), "msg": "bad \ud800",
                     "type": "string_type", "input": SECRET},
                    {"loc": ("body", "hours", "+54 11 5555-0101"), "msg": "x", "type": "t"},
                    {"loc": ("body", 3), "msg": "y", "type": "json_invalid",
                     "ctx": {"error": "Expecting value"}}])
    assert found == [
        {"loc": ["body", "utm", "utm_source"], "msg": "bad \ufffd", "type": "string_type"},
        {"loc": ["body", "hours", "*"], "msg": "x", "type": "t"},
        {"loc": ["body", 3], "msg": "Invalid JSON: Expecting value", "type": "json_invalid"}]


def test_every_operation_documents_both_error_shapes_as_json(tmp_path: object) -> None:
    app = create_app(Settings(env="test", database_url=f"sqlite:///{tmp_path}/e.db",
                              llm="offline", openai_api_key=None))
    document = app.openapi()
    operations = [(path, method, op) for path, item in document["paths"].items()
                  for method, op in item.items()]
    assert len(operations) > 40
    for path, method, operation in operations:
        responses = operation["responses"]
        assert responses["4XX"]["content"] == {"application/json": {"schema": {
            "$ref": "#/components/schemas/ErrorBody"}}}, (method, path)
        assert responses["422"]["content"] == {"application/json": {"schema": {
            "$ref": "#/components/schemas/ValidationErrorBody"}}}, (method, path)
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # FastAPI's echoing shape is documented nowhere
    assert set(schemas["ValidationIssue"]["properties"]) == {"loc", "msg", "type"}
