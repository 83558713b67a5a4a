"""The eval end to end on real databases: the clinic suite on the offline model, the
command's output, files and exit codes, a turn that raises, the HTML report's escaping."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.runtime import AgentRuntime, Inbound, TurnResult
from api.cli import app
from crm.settings import Settings
from evals import evaluate
from evals.report import html, table
from evals.results import Failure, ScenarioResult, ScenarioRun, SuiteResult, ToolRecord, TurnRecord

SUITES = Path(__file__).resolve().parents[2] / "evals" / "suites"
MONDAY = date(2026, 11, 23)

SMALL = """
business: demo
scenarios:
  - id: horario
    title: Hours
    turns: ["¿a qué hora abren el sábado?"]
    expect: {reply_contains: "13:00", tools_called: [business_info]}
  - id: espera-persona
    title: "<b>expects a hand-over that never comes</b>"
    turns: ["<script>alert(1)</script> hola"]
    expect: {needs_human: true}
"""


def test_the_clinic_suite_passes_on_the_offline_model(settings: Settings, db_url: str) -> None:
    result = evaluate(SUITES / "clinica.yaml", settings=settings, today=MONDAY,
                      database_url=db_url)
    summary = result.summary()
    failed = {s.id: [str(f) for r in s.runs for f in r.failures] + [
        r.error for r in s.runs if r.error] for s in result.scenarios if s.passes < 1}
    assert failed == {}
    assert summary["pass_at_1"] == 1.0 and summary["scenarios"] >= 30
    assert summary["unverified_claims"] == 0


def test_the_command_prints_a_table_and_a_json_last_line(tmp_path: Path, db_url: str) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(SMALL, encoding="utf-8")
    out, report = tmp_path / "out.json", tmp_path / "report.html"
    args = ["eval", str(suite), "--model", "offline", "--repeat", "2", "--today",
            "2026-11-23", "--database-url", db_url, "--json", str(out), "--report",
            str(report)]
    ran = CliRunner().invoke(app, [*args, "--min-pass", "0.5"])
    assert ran.exit_code == 0, ran.output
    lines = ran.stdout.strip().splitlines()
    last = json.loads(lines[-1])
    assert {"scenarios", "pass_at_1", "pass_at_k", "k", "unverified_claims"} <= set(last)
    assert (last["scenarios"], last["k"], last["pass_at_1"], last["pass_at_k"]) == (2, 2, 0.5,
                                                                                  0.5)
    assert last["failed"] == ["espera-persona"]
    assert any(line.startswith("pass^1 0.500  pass^2 0.500") for line in lines)
    assert any("FAIL run 1: needs_human: expected true, got false" in line for line in lines)
    detail = json.loads(out.read_text(encoding="utf-8"))
    assert detail["scenarios"][0]["runs"][0]["turns"][0]["tools"][0]["name"] == "business_info"
    page = report.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;expects a hand-over" in page
    # below --min-pass (compared with pass^K): exit 1
    assert CliRunner().invoke(app, [*args, "--min-pass", "0.75"]).exit_code == 1


def test_an_unusable_file_exits_2_with_the_reason(tmp_path: Path) -> None:
    suite = tmp_path / "bad.yaml"
    suite.write_text("business: demo\nscenarios:\n  - id: a\n    turns: []\n", encoding="utf-8")
    ran = CliRunner().invoke(app, ["eval", str(suite), "--model", "offline"])
    assert ran.exit_code == 2
    assert 'scenario "a" (scenarios[0]), turns: List should have at least 1' in ran.stderr


def test_a_turn_that_raises_fails_its_run_and_the_eval_goes_on(
    settings: Settings, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = AgentRuntime.handle

    def handle(self: AgentRuntime, inbound: Inbound) -> TurnResult:
        if "boom" in inbound.text:
            raise RuntimeError("a bug in the agent")
        return real(self, inbound)

    monkeypatch.setattr(AgentRuntime, "handle", handle)
    suite = tmp_path / "suite.yaml"
    suite.write_text(SMALL.replace("<script>alert(1)</script> hola", "boom"),
                     encoding="utf-8")
    result = evaluate(suite, settings=settings, today=MONDAY, database_url=db_url)
    [ok, broken] = result.scenarios
    assert ok.passes == 1
    assert broken.runs[0].error == "turn 1 raised RuntimeError" and not broken.runs[0].passed


def test_the_report_escapes_what_the_agent_and_the_tools_said() -> None:
    turn = TurnRecord(say="hola", reply='<script>alert("x")</script> & <img src=x>', ok=True,
                      latency_ms=12.0,
                      tools=[ToolRecord("business_info", {"topic": "<i>"}, '{"answer": "<b>"}',
                                        True)],
                      failures=[Failure("reply_contains", "'<u>'", "'<script>'", 1)])
    run = ScenarioRun(1, turns=[turn], failures=list(turn.failures))
    result = SuiteResult(source="<s>.yaml", business="demo", model="offline",
                         today="2026-11-23", k=1,
                         scenarios=[ScenarioResult("x", "<t>", "es", [run])])
    page = html(result)
    assert "<script>" not in page and "<img" not in page and '"<b>"' not in page
    assert '&#34;&lt;b&gt;&#34;' in page and "&lt;i&gt;" in page and "&lt;t&gt;" in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x&gt;" in page
    assert "failures" in page and "http" not in page.replace("http-equiv", "")
    assert table(result).splitlines()[1].startswith("x ")


def test_an_openai_compatible_server_is_evaluated_with_the_model_asked_and_its_tokens(
    db_url: str, tmp_path: Path
) -> None:
    from agent.llm import _openai
    from evals import settings_for
    from tests.support.openai_stub import OpenAIStub, text, tool_call

    stub = OpenAIStub().start()
    try:
        _openai.cache_clear()
        configured = Settings(env="test", database_url=db_url, llm="openai",
                              openai_api_key="sk-test", openai_base_url=stub.base_url,
                              llm_model="configured-model", llm_timeout_seconds=5.0,
                              llm_max_retries=0)
        stub.push(tool_call("request_human", {"reason": "pidió una persona"}),
                  text("Listo, le aviso a alguien del equipo."))
        suite = tmp_path / "suite.yaml"
        suite.write_text("business: demo\nscenarios:\n  - id: persona\n    turns: [quiero "
                         "hablar con una persona]\n    expect: {needs_human: true, "
                         "tools_called: [request_human], reply_contains: equipo}\n",
                         encoding="utf-8")
        result = evaluate(suite, settings=settings_for(configured, model="asked-model"),
                          today=MONDAY, database_url=db_url)
    finally:
        stub.stop()
        _openai.cache_clear()
    summary = result.summary()
    assert {r["model"] for r in stub.requests} == {"asked-model"}
    assert summary["model"] == "asked-model" and summary["pass_at_1"] == 1.0
    assert (summary["model_calls"], summary["input_tokens"], summary["output_tokens"]) == (
        2, 20, 10)
