"""Nothing leaked: secrets of 27 kinds, with fresh random bodies on every run, planted in a repository change,
a file name, a commit message, a plan file and a Claude session (title, prompts, tool calls, tool output);
then every command that sends to Claude or writes under `.agents/` runs through `cockpit.cli.main`.

No part of a secret may appear in what would be sent (`--dry-run --json`), in a file written, or in a file
name; the sentence planted beside each secret must. Nothing is sent, and a dry run writes nothing.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import string
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import claude_assistant, claude_user, write_jsonl
from git_repo import ENV_WITH_PATH

from cockpit.cli import main
from cockpit.core.redact import redact
from cockpit.llm.client import Llm

ALNUM = string.ascii_letters + string.digits
B64URL = ALNUM + "-_"
B64 = ALNUM + "+/"
UPPER_DIGITS = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
WINDOW = 12  # any 12 characters of a secret's random part in an output is a leak


def rnd(n: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


@dataclass(frozen=True)
class Secret:
    kind: str
    value: str  # the whole secret as planted
    pieces: tuple[str, ...]  # its random parts: none of them may survive, even in part
    line: str  # how it is written in the planted text
    canary: str  # a plain word on the line before it, which must survive

    def block(self) -> str:
        return f"# {self.canary} says the {self.kind.replace('-', ' ')} below is for staging only\n{self.line}\n"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def corpus() -> list[Secret]:
    """Fresh secrets of every kind, in the formats their issuers use."""
    made: list[tuple[str, str, tuple[str, ...], str]] = []

    def add(kind: str, value: str, pieces: tuple[str, ...], line: str = "") -> None:
        made.append((kind, value, pieces, line or f"value: {value}"))

    body = rnd(93, B64URL)
    add("anthropic", f"sk-ant-api03-{body}AA", (body,))
    a, b = rnd(58, B64URL), rnd(58, B64URL)
    add("openai", f"sk-proj-{a}T3BlbkFJ{b}", (a, b))
    body = rnd(36)
    add("github-classic", f"ghp_{body}", (body,))
    a, b = rnd(22), rnd(59)
    add("github-fine-grained", f"github_pat_{a}_{b}", (a, b))
    body = rnd(36)
    add("github-oauth", f"gho_{body}", (body,))
    body = rnd(20, B64URL)
    add("gitlab", f"glpat-{body}", (body,))
    body = rnd(16, UPPER_DIGITS)
    add("aws-access-key-id", f"AKIA{body}", (body,))
    body = rnd(40, B64)
    add("aws-secret", body, (body,), f"aws_secret_access_key = {body}")
    a, b = rnd(13, string.digits), rnd(24)
    add("slack-token", f"xoxb-{rnd(12, string.digits)}-{a}-{b}", (b,))
    a, b = rnd(10, UPPER_DIGITS), rnd(24)
    add("slack-webhook", f"https://hooks.slack.com/services/T{a}/B{rnd(10, UPPER_DIGITS)}/{b}", (b,))
    a, b = rnd(18, string.digits), rnd(68, B64URL)
    add("discord-webhook", f"https://discord.com/api/webhooks/{a}/{b}", (b,))
    body = rnd(32)
    add("stripe", f"sk_live_{body}", (body,))
    body = rnd(36, string.ascii_lowercase + string.digits)
    add("npm", f"npm_{body}", (body,), f"//registry.npmjs.org/:_authToken=npm_{body}")
    body = rnd(70, B64URL)
    add("pypi", f"pypi-AgEIcHlwaS5vcmc{body}", (body,), f"password = pypi-AgEIcHlwaS5vcmc{body}")
    body = rnd(34, string.ascii_letters)
    add("hugging-face", f"hf_{body}", (body,), f"HfApi(token='hf_{body}')")
    a, b = rnd(22, B64URL), rnd(43, B64URL)
    add("sendgrid", f"SG.{a}.{b}", (a, b), f"sg.send(api_key='SG.{a}.{b}')")
    body = rnd(35, B64URL)
    add("google-api-key", f"AIza{body}", (body,), f"maps.js?key=AIza{body}&v=3")
    lines = [rnd(64, B64) for _ in range(6)]
    add("private-key", "\n".join(["-----BEGIN RSA PRIVATE KEY-----", *lines, "-----END RSA PRIVATE KEY-----"]),
        tuple(lines), "\n".join(["-----BEGIN RSA PRIVATE KEY-----", *lines, "-----END RSA PRIVATE KEY-----"]))
    payload = _b64url(json.dumps({"sub": rnd(12), "name": rnd(10), "iat": 1700000000}).encode())
    sig = rnd(43, B64URL)
    add("jwt", f"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{payload}.{sig}", (payload[12:], sig),
        f"Cookie: session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{payload}.{sig}")
    body = rnd(16)
    add("url-password", body, (body,), f"DATABASE_URL=postgres://app:{body}@db.internal:5432/app")
    body = rnd(32)
    add("cli-token-flag", body, (body,), f"./deploy.sh --token={body} --env staging")
    body = rnd(14)
    add("curl-user-password", body, (body,), f"curl -u admin:{body} https://api.example.com/v1/status")
    body = rnd(40, B64)
    add("aws-configure-set", body, (body,), f"aws configure set aws_secret_access_key {body}")
    body = rnd(18)
    add("env-value", body, (body,), f"DB_PASSWORD={body}")
    body = rnd(32, HEX)
    add("twilio", f"SK{body}", (body,), f"twilio_api_key_sid: SK{body}")
    body = rnd(32, HEX)
    add("mailgun", f"key-{body}", (body,), f"mailgun api key: key-{body}")
    body = rnd(16)
    add("cli-password-flag", body, (body,), f"mysql --host db --password {body} shop")
    return [Secret(kind, value, pieces, line, f"Zebra{i:02d}") for i, (kind, value, pieces, line) in enumerate(made)]


def leaks(text: str, planted: list[Secret]) -> list[str]:
    """The kinds of which any WINDOW characters of a random part occur in `text` (case-insensitively: a slug
    lower-cases what it keeps)."""
    low = text.lower()
    found = []
    for s in planted:
        if any(piece[i:i + WINDOW].lower() in low for piece in s.pieces
               for i in range(0, max(1, len(piece) - WINDOW + 1))):
            found.append(s.kind)
    return found


ENV = ENV_WITH_PATH


def git(repo: Path, *args: str, when: str = "") -> None:
    env = {**ENV, **({"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else {})}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@dataclass
class World:
    repo: Path
    claude: Path
    db: Path
    plan: Path
    session: str
    planted: list[Secret]
    file_token: Secret
    commit_secret: Secret
    title_secrets: tuple[Secret, Secret]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    planted = corpus()
    by_kind = {s.kind: s for s in planted}
    everything = "".join(s.block() for s in planted)
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    (repo / "README.md").write_text("# shop\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "start", when="2026-02-12T15:00:00Z")
    # A commit made during the session, its message holding a secret.
    commit_secret = by_kind["stripe"]
    (repo / "deploy" / "stripe.txt").write_text("Zebra-commit: keys live in the vault\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", f"Zebra-commit rotate {commit_secret.value}", when="2026-02-12T16:00:30Z")
    # The change vibe judges: every secret in a new file, and a token in a file name.
    (repo / "deploy" / "settings.conf").write_text(everything)
    file_token = by_kind["github-classic"]
    (repo / f"notes-{file_token.value}.md").write_text("Zebra-file: what the token is for\n")
    plan = tmp_path / f"plan-{by_kind['npm'].value}.md"
    plan.write_text("# Zebra-plan: deploy the shop\n\n" + everything)
    # A Claude session in this repository: the title, the prompts, the tool calls and their output hold secrets.
    session = str(uuid.uuid4())
    title_secrets = (by_kind["anthropic"], by_kind["github-fine-grained"])
    extra = {"cwd": str(repo)}
    tool_out = [{"type": "tool_result", "tool_use_id": "toolu_1", "is_error": True, "content": everything}]
    lines = [
        {"type": "custom-title", "sessionId": session,
         "customTitle": f"Zebra-title rotate {title_secrets[0].value} and {title_secrets[1].value}"},
        claude_user(1, "Zebra-prompt set up the deploy:\n" + everything, session=session, **extra),
        claude_assistant(2, session=session, content=[
            {"type": "text", "text": f"Zebra-answer I will use {by_kind['openai'].value} for the call."},
            {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": by_kind["curl-user-password"].line}}],
            **extra),
        claude_user(3, session=session, **{**extra, "message": {"role": "user", "content": tool_out}}),
        claude_assistant(4, session=session, content=[
            {"type": "tool_use", "id": "toolu_2", "name": "Bash", "input": {"command": by_kind["cli-token-flag"].line}}],
            **extra),
        claude_user(5, session=session, **{**extra, "message": {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": everything}]}}),
        claude_assistant(6, session=session, content=[{"type": "text", "text": "Zebra-done deployed."}], **extra),
        claude_user(7, f"Zebra-last finish with {by_kind['aws-configure-set'].line}", session=session, **extra),
        claude_assistant(8, session=session, **extra),
        {"type": "last-prompt", "sessionId": session,
         "lastPrompt": f"Zebra-last finish with {by_kind['aws-configure-set'].line}"},
    ]
    claude = tmp_path / "claude"
    write_jsonl(claude / "projects" / "-repo" / f"{session}.jsonl", lines)
    return World(repo, claude, tmp_path / "c.db", plan, session, planted, file_token, commit_secret, title_secrets)


def run(w: World, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main([*args, "--repo", str(w.repo), "--db", str(w.db), "--claude-dir", str(w.claude),
                 "--codex-dir", str(w.claude / "none")])
    return code, capsys.readouterr().out


def dry_run(w: World, capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code, out = run(w, capsys, *args, "--dry-run", "--json")
    assert code == 0, out
    request = json.loads(out)  # exactly one JSON object
    assert {"model", "max_tokens", "system", "messages", "tools", "tool_choice", "redacted", "would_send"} <= set(request)
    return request


def never_send(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a dry run or an offline run called the API")

    monkeypatch.setattr(Llm, "structured", refuse)
    monkeypatch.setattr(Llm, "count_tokens", refuse)


def agents_files(repo: Path) -> dict[str, str]:
    root = repo / ".agents"
    return {str(p.relative_to(repo)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()} if root.exists() else {}


def test_dry_runs_show_requests_without_any_secret_and_send_and_write_nothing(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    never_send(monkeypatch)
    w = world
    retro = dry_run(w, capsys, "retro", w.session)
    vibe = dry_run(w, capsys, "vibe")
    premortem = dry_run(w, capsys, "premortem", "--plan", str(w.plan))
    for name, request in (("retro", retro), ("vibe", vibe), ("premortem", premortem)):
        sent = json.dumps(request, ensure_ascii=False)
        assert leaks(sent, w.planted) == [], name
        assert request["would_send"] is False and "ANTHROPIC_API_KEY" in request["reason"]
        assert request["tool_choice"]["name"] == request["tools"][0]["name"]
        # Each planted kind was found and counted in what would be sent.
        assert sum(request["redacted"].values()) >= len(w.planted), (name, request["redacted"])
    user = {name: r["messages"][0]["content"] for name, r in (("retro", retro), ("vibe", vibe), ("premortem", premortem))}
    for s in w.planted:  # the sentence beside each secret is still there
        assert s.canary in user["vibe"] and s.canary in user["premortem"] and s.canary in user["retro"], s.kind
    assert "Zebra-title rotate [REDACTED:anthropic-key] and [REDACTED:github-token]" in user["retro"]
    assert "notes-[REDACTED:github-token].md" in user["vibe"]  # the token in a file name
    assert "Zebra-last finish with" in user["vibe"]  # the session's last prompt is vibe's intent
    assert "curl -u admin:[REDACTED:cli-secret]" in user["retro"]  # a tool call's command
    # Nothing written: no report, no record, no call.
    assert agents_files(w.repo) == {}
    conn = __import__("sqlite3").connect(w.db)
    assert conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM llm_calls").fetchone()[0] == 0
    # With a key the same request would be sent, and still nothing is.
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-" + rnd(93, B64URL) + "AA")
    keyed = dry_run(w, capsys, "vibe")
    assert keyed["would_send"] is True and "reason" not in keyed
    assert keyed["messages"] == vibe["messages"] and keyed["redacted"] == vibe["redacted"]
    assert os.environ["ANTHROPIC_API_KEY"] not in json.dumps(keyed)
    assert agents_files(w.repo) == {}


def test_offline_flows_write_reports_and_file_names_without_any_secret(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    never_send(monkeypatch)
    w = world
    code, retro_out = run(w, capsys, "retro", w.session, "--json")
    assert code == 0, retro_out
    code, vibe_out = run(w, capsys, "vibe", "--json")
    assert code == 2, vibe_out  # secrets were added: a deterministic FAIL
    code, premortem_out = run(w, capsys, "premortem", "--plan", str(w.plan), "--json")
    assert code in (0, 1), premortem_out
    from cockpit.services.handoff import write_handoff
    from cockpit.store.db import connect

    handoff_path, _ = write_handoff(connect(w.db), str(w.repo), w.session, __import__("datetime").datetime.now())
    written = agents_files(w.repo)
    kinds = {path.split("/")[1] for path in written}
    assert {"council", "retros", "learnings", "handoffs"} <= kinds, sorted(written)
    for path, text in written.items():
        assert leaks(path, w.planted) == [], path
        assert leaks(text, w.planted) == [], path
    for out in (retro_out, vibe_out, premortem_out):
        assert leaks(out, w.planted) == []
    retro_file = next(t for p, t in written.items() if p.startswith(".agents/retros/"))
    assert "Zebra-title rotate [REDACTED:anthropic-key] and [REDACTED:github-token]" in retro_file
    assert any("zebra-title-rotate-redacted-anthropic" in p for p in written if p.startswith(".agents/retros/"))
    vibe_file = next(t for p, t in written.items() if "-vibe-" in p)
    premortem_file = next(t for p, t in written.items() if "-pre-mortem-" in p)
    for s in w.planted:  # vibe's intent (the session's last prompt) and the plan keep their sentences
        assert s.canary in premortem_file, s.kind
    assert "Zebra-last finish with aws configure set aws_secret_access_key [REDACTED:aws-secret]" in vibe_file
    assert any("pre-mortem-plan-redacted-npm-access-token" in p for p in written), sorted(written)
    handoff = written[handoff_path]
    assert "Zebra-commit rotate [REDACTED:stripe-key]" in handoff and "Zebra-title" in handoff


# --- what must survive --------------------------------------------------------------------------------------

FIXTURE = base64.b64encode(bytes(range(256)) * 3).decode()  # 1 KB of base64, like a test image

@pytest.mark.parametrize(("label", "text"), [
    ("git object ids", "commit 3f786850e387550fdab836ed7e6dc881de23001b\ntree 4b825dc642cb6eb9a060e54bf8d69288fbee4904"
                       "\nparent da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("uuids", 'session_id = "3f2b8c1e-9d4a-4f6b-8e2d-1a7c5b9e0f3d"\nrequest 123e4567-e89b-12d3-a456-426614174000'),
    ("sha256 digests", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  dist/app.whl"),
    ("npm integrity", '"integrity": "sha512-9NET910DNaIPngYnLLPeg+Ogzqsi9uM4mSboU5y6p8S5DzMTVEsJZrawi+BoDNUVBa2DhJqQYUFvMMMs"'),
    ("base64 fixture lines", base64.encodebytes(bytes(range(256)) * 3).decode()),
    ("base64 fixture in JSON", json.dumps({"name": "pixel.png", "data": FIXTURE})),
    ("ordinary code", "def parse(text: str) -> list[str]:\n    token = next(tokens)\n    return text.split(',')\n"
                      "password_field = form.fields['password']\nMAX_TOKENS = 4096\n"),
    ("prose", "The token budget is spent; pass --token to the CLI and keep the password in the vault."),
    ("docs", "curl -u user:password https://example.com\nmysql -u root -pPASS shop\n--api-key YOUR_KEY"),
])
def test_ordinary_text_survives(label: str, text: str) -> None:
    result = redact(text)
    assert result.text == text, (label, result.counts)


def test_cockpits_own_source_is_almost_untouched() -> None:
    """Real code with no secrets in it: every redaction there is a false positive."""
    root = Path(__file__).resolve().parents[2] / "cockpit"
    false_positives: dict[str, int] = {}
    files = [p for p in root.rglob("*.py") if p.name not in ("redact.py", "redact_rules.py")]
    for path in files:
        found = redact(path.read_text(encoding="utf-8")).total
        if found:
            false_positives[str(path.relative_to(root))] = found
    assert len(files) > 50
    assert sum(false_positives.values()) <= 5, false_positives


@pytest.mark.parametrize("make", [lambda: corpus()], ids=["fresh corpus"])
def test_every_kind_alone_is_redacted_and_its_sentence_kept(make: Callable[[], list[Secret]]) -> None:
    for s in make():
        result = redact(s.block())
        assert leaks(result.text, [s]) == [], (s.kind, result.text)
        assert s.canary in result.text and result.total >= 1, s.kind
        assert redact(result.text).text == result.text  # idempotent
