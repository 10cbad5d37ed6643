"""Secret redaction before text leaves the machine: realistic fake secrets, false positives, idempotence.

Every fake secret is assembled from pieces so this file holds no literal a secret scanner would flag.
"""

from __future__ import annotations

import json
import re

import pytest

from cockpit.core.redact import Redaction, redact, shannon_entropy

B62 = "A1b2C3d4E5f6G7h8J9k0"  # 20 mixed chars, reused to build realistic-looking bodies

ANTHROPIC = "sk-ant-" + "api03-" + (B62 * 5)[:93] + "AA"
ANTHROPIC_ADMIN = "sk-ant-" + "admin01-" + (B62 * 5)[:93] + "AA"
OPENAI_PROJ = "sk-" + "proj-" + (B62 * 8)[:156]
OPENAI_LEGACY = "sk-" + "Zq9" * 8 + "T3Blbk" + "FJ" + "Wx7" * 8
OPENAI_SVC = "sk-" + "svcacct-" + (B62 * 4)[:74]
GITHUB_CLASSIC = "gh" + "p_" + "A1b2" * 9
GITHUB_APP = "gh" + "s_" + "Zz9Y" * 9
GITHUB_PAT = "github" + "_pat_" + "11ABCDEFG0" + "a" * 12 + "_" + ("Xy7" * 20)[:59]
GITLAB = "gl" + "pat-" + "xY7zW3vU9tS1rQ5pO2nM"
AWS_KEY_ID = "AK" + "IA" + "IOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI" + "/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
GOOGLE = "AI" + "za" + "SyD3x9" + "Kq7Lm2Np4Rs6Tv8Wx0Yz1Ab3Cd5Ef"
SLACK = "xo" + "xb-" + "123456789012-1234567890123-" + "AbCdEfGhIjKlMnOpQrStUvWx"
STRIPE = "sk" + "_live_" + "51HxYz2AbCdEfGhIjKlMnOpQr"
JWT = ("ey" + "JhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + "." + "ey" + "JzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
       + "." + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
PEM_BODY = "\n".join(["MIIEpAIBAAKCAQEA" + "x7Yz" * 12, "Q2w3E4r5T6y7U8i9O0p" * 3, "aBcD=="])
SECRET_VALUE = "q8Zr2Lx7Vw4Nc1Pt6Hy3"  # 20 chars, 3 classes, high entropy


def _pem(label: str) -> str:
    dashes = "-" * 5
    return f"{dashes}BEGIN {label}{dashes}\n{PEM_BODY}\n{dashes}END {label}{dashes}"


def _check(text: str, secret: str, kind: str, **kw: bool) -> Redaction:
    result = redact(text, **kw)
    assert secret not in result.text
    assert result.counts.get(kind, 0) >= 1, result.counts
    assert f"[REDACTED:{kind}]" in result.text
    return result


# --- one test per kind ----------------------------------------------------------------------------------

@pytest.mark.parametrize("key", [ANTHROPIC, ANTHROPIC_ADMIN])
def test_anthropic_keys_are_redacted_and_the_sentence_kept(key):
    result = _check(f"use {key} for the call", key, "anthropic-key")
    assert result.text == "use [REDACTED:anthropic-key] for the call"
    assert dict(result.counts) == {"anthropic-key": 1}


@pytest.mark.parametrize("key", [OPENAI_PROJ, OPENAI_LEGACY, OPENAI_SVC])
def test_openai_keys_are_redacted(key):
    result = _check(f"client = OpenAI(api_key='{key}')", key, "openai-key")
    assert result.text == "client = OpenAI(api_key='[REDACTED:openai-key]')"


@pytest.mark.parametrize("token", [GITHUB_CLASSIC, GITHUB_APP, GITHUB_PAT])
def test_github_tokens_are_counted_as_github_token_not_as_generic_secrets(token):
    result = _check(f"GITHUB_TOKEN={token}\nnext line", token, "github-token")
    assert result.text == "GITHUB_TOKEN=[REDACTED:github-token]\nnext line"
    assert dict(result.counts) == {"github-token": 1}


def test_gitlab_token_is_redacted():
    result = _check(f"git clone with token {GITLAB} done", GITLAB, "gitlab-token")
    assert result.text.endswith(" done")


def test_aws_access_key_id_and_secret_are_redacted_in_a_credentials_file():
    text = f"[default]\naws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}\nregion = eu-west-1\n"
    result = redact(text)
    assert AWS_KEY_ID not in result.text and AWS_SECRET not in result.text
    assert dict(result.counts) == {"aws-access-key": 1, "aws-secret": 1}
    assert "aws_secret_access_key = [REDACTED:aws-secret]\nregion = eu-west-1" in result.text


def test_aws_secret_in_an_uppercase_env_assignment_is_an_aws_secret():
    result = _check(f'export AWS_SECRET_ACCESS_KEY="{AWS_SECRET}"', AWS_SECRET, "aws-secret")
    assert result.text == 'export AWS_SECRET_ACCESS_KEY="[REDACTED:aws-secret]"'


def test_google_api_key_is_redacted():
    _check(f"https://maps.googleapis.com/maps/api/js?key={GOOGLE}&v=3", GOOGLE, "google-api-key")


def test_slack_token_is_redacted():
    _check(f"slack bot {SLACK} posts", SLACK, "slack-token")


def test_stripe_key_is_redacted():
    _check(f"stripe.api_key = '{STRIPE}'", STRIPE, "stripe-key")


def test_jwt_is_redacted():
    result = _check(f"cookie session={JWT}; Path=/", JWT, "jwt")
    assert result.text == "cookie session=[REDACTED:jwt]; Path=/"


@pytest.mark.parametrize("label", ["RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY",
                                   "ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK"])
def test_private_key_blocks_are_redacted_whole(label):
    text = f"before\n{_pem(label)}\nafter"
    result = _check(text, "MIIEpAIBAAKCAQEA", "private-key")
    assert result.text == "before\n[REDACTED:private-key]\nafter"
    assert dict(result.counts) == {"private-key": 1}


def test_private_key_cut_off_before_its_end_line_still_loses_its_body():
    text = "-----BEGIN RSA PRIVATE KEY-----\n" + PEM_BODY + "\n\nthe rest of the message"
    result = _check(text, "MIIEpAIBAAKCAQEA", "private-key")
    assert result.text.endswith("\n\nthe rest of the message")


def test_password_in_a_url_is_redacted_keeping_scheme_user_and_host():
    result = _check("DATABASE_URL=postgres://app:s3cr3t-Pa55@db.internal:5432/app", "s3cr3t-Pa55", "url-password")
    assert result.text == "DATABASE_URL=postgres://app:[REDACTED:url-password]@db.internal:5432/app"
    assert dict(result.counts) == {"url-password": 1}


def test_bearer_tokens_are_redacted_in_headers_and_prose():
    opaque = "ya29" + ".a0AfH6SMBx" + "3kLm9Qr7Tz"
    result = redact(f"curl -H 'Authorization: Bearer {opaque}' https://api.example.com\nBearer {opaque}xyz2\n")
    assert opaque not in result.text
    assert dict(result.counts) == {"bearer-token": 2}
    assert "curl -H 'Authorization: Bearer [REDACTED:bearer-token]' https://api.example.com" in result.text


@pytest.mark.parametrize(("line", "expected"), [
    ("API_KEY=plainpassword1", "API_KEY=[REDACTED:env-value]"),
    ("DB_PASSWORD='hunter2'", "DB_PASSWORD='[REDACTED:env-value]'"),
    ("client_secret: abc123def", "client_secret: [REDACTED:env-value]"),
    ('{"password": "correct horse battery staple"}', '{"password": "[REDACTED:env-value]"}'),
    ('api_key = "short-but-secret"', 'api_key = "[REDACTED:env-value]"'),
    ("SLACK_WEBHOOK_AUTH=abc.def.ghi1", "SLACK_WEBHOOK_AUTH=[REDACTED:env-value]"),
])
def test_values_of_secret_named_keys_are_redacted_keeping_the_key(line, expected):
    result = redact(line)
    assert result.text == expected
    assert dict(result.counts) == {"env-value": 1}


def test_high_entropy_value_in_an_ordinary_assignment_is_redacted():
    result = _check(f'signing_salt = "{SECRET_VALUE}"\nname = "cockpit"', SECRET_VALUE, "high-entropy")
    assert result.text == 'signing_salt = "[REDACTED:high-entropy]"\nname = "cockpit"'
    assert shannon_entropy(SECRET_VALUE) >= 4.0


# --- false positives that must stay ---------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "commit = 3f786850e387550fdab836ed7e6dc881de23001b",
    'session_id = "3f2b8c1e-9d4a-4f6b-8e2d-1a7c5b9e0f3d"',
    "config_path = /home/dev/projects/cockpit/src/cockpit/core/redact.py",
    'module = "src/Cockpit2/core/RedactHelpers.py"',
    'password = ""',
    "TOKEN_COUNT=5",
    '"max_tokens": 4096, "input_tokens": 12, "auth": true',
    "The token budget is spent; rotate the token and ask for a new token tomorrow.",
    "homepage: https://example.com/docs/getting-started?page=2",
    "PWD=/home/dev/work",
    'author = "Jane Doe"',
    "token = os.environ['GITHUB_TOKEN']",
    "client = Client(api_key=api_key, token=self.token)",
    "password = get_password()",
    'token: ${{ secrets.GITHUB_TOKEN }}',
    '"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "requestId": "req_011CVabcDEF123ghiJKL456"',
    "handler = cockpit.core.redact.RedactionSummaryBuilder",
])
def test_non_secrets_are_left_alone(text):
    result = redact(text)
    assert result.text == text
    assert result.total == 0


# --- behaviour of the whole ------------------------------------------------------------------------------

def test_redacting_redacted_text_changes_nothing_and_counts_nothing():
    text = "\n".join([
        f"GITHUB_TOKEN={GITHUB_CLASSIC}", f"key {ANTHROPIC}", _pem("OPENSSH PRIVATE KEY"),
        "postgres://u:pw12345@h/db", f"Authorization: Bearer {JWT}", "API_KEY=hunter2",
        f'salt = "{SECRET_VALUE}"', f"aws_secret_access_key={AWS_SECRET}",
    ])
    once = redact(text)
    assert once.total == 8
    twice = redact(once.text)
    assert twice.text == once.text
    assert twice.total == 0
    assert redact(once.text, env_file=True).text == once.text


def test_summary_lists_counts_by_kind_most_frequent_first():
    result = redact(f"a {GITHUB_CLASSIC} b {GITHUB_APP}\n{_pem('RSA PRIVATE KEY')}")
    assert result.total == 3
    assert result.summary() == "3 secrets redacted: 2 github-token, 1 private-key"
    assert redact(f"x {JWT}").summary() == "1 secret redacted: 1 jwt"
    assert redact("nothing to see").summary() == "no secrets found"


def test_added_and_removed_lines_of_a_diff_are_redacted():
    diff = (
        "diff --git a/.env.example b/.env.example\n"
        "--- a/.env.example\n+++ b/.env.example\n@@ -1,2 +1,3 @@\n"
        " DEBUG=true\n"
        "-API_KEY=oldvalue99\n"
        "+API_KEY=n3wValue-42x\n"
        f"+GITHUB_TOKEN={GITHUB_CLASSIC}\n"
    )
    result = redact(diff)
    assert "oldvalue99" not in result.text and "n3wValue-42x" not in result.text
    assert "-API_KEY=[REDACTED:env-value]\n+API_KEY=[REDACTED:env-value]\n" in result.text
    assert "+GITHUB_TOKEN=[REDACTED:github-token]\n" in result.text
    assert " DEBUG=true\n" in result.text and result.text.startswith("diff --git a/.env.example")
    assert dict(result.counts) == {"env-value": 2, "github-token": 1}


def test_jsonl_transcript_line_is_redacted_and_stays_valid_json():
    record = {"type": "user", "message": {"role": "user", "content": f"my key is {ANTHROPIC}, and\nDB_PASSWORD=pw-9x7\n"
                                                                       f"{_pem('EC PRIVATE KEY')}"}}
    line = json.dumps(record)
    result = redact(line)
    parsed = json.loads(result.text)
    content = parsed["message"]["content"]
    assert content.startswith("my key is [REDACTED:anthropic-key], and\nDB_PASSWORD=[REDACTED:env-value]\n")
    assert content.endswith("[REDACTED:private-key]")
    assert dict(result.counts) == {"anthropic-key": 1, "env-value": 1, "private-key": 1}


def test_escaped_json_assignment_inside_a_transcript_is_redacted():
    line = json.dumps({"content": json.dumps({"password": "pw-inner-1"})})
    result = redact(line)
    assert "pw-inner-1" not in result.text
    assert json.loads(json.loads(result.text)["content"]) == {"password": "[REDACTED:env-value]"}


def test_five_megabytes_with_many_secrets_are_all_counted():
    block = (
        "some ordinary prose about tokens, paths like /usr/local/bin and a sha 3f786850e387550fdab836ed7e6dc881de23001b\n"
        f"GITHUB_TOKEN={GITHUB_CLASSIC}\n"
        f"curl https://deploy:Pa55w0rd@example.com/x -H 'Authorization: Bearer {JWT}'\n"
        f'{{"content": "my key is {ANTHROPIC}"}}\n'
        + "x" * 200 + " aaaa-bbbb-cccc " * 20 + "\n"
    )
    copies = 5_000_000 // len(block) + 1
    text = block * copies
    assert len(text) >= 5_000_000
    result = redact(text)
    assert dict(result.counts) == {"github-token": copies, "url-password": copies, "jwt": copies,
                                   "anthropic-key": copies}


def test_long_runs_without_separators_do_not_blow_up():
    for text in ("a" * 1_000_000, "a-" * 500_000, "-----BEGIN RSA PRIVATE KEY-----" * 20_000, "x:" * 500_000,
                 "s://" * 250_000, "eyJ" + "a" * 1_000_000):
        assert redact(text).total >= 0


def test_env_file_mode_redacts_every_value_except_plain_ones():
    env = (
        "# comment=kept\n"
        "DATABASE_HOST=db.internal\n"
        'SENTRY_DSN="https://abc@o1.ingest.sentry.io/5"\n'
        "export REGION=eu-west-1  # inline comment\n"
        "DEBUG=true\nPORT=8080\nEMPTY=\nPLACEHOLDER=${OTHER}\n"
        f"GITHUB_TOKEN={GITHUB_CLASSIC}\n"
    )
    result = redact(env, env_file=True)
    assert result.text == (
        "# comment=kept\n"
        "DATABASE_HOST=[REDACTED:env-value]\n"
        'SENTRY_DSN="[REDACTED:env-value]"\n'
        "export REGION=[REDACTED:env-value]  # inline comment\n"
        "DEBUG=true\nPORT=8080\nEMPTY=\nPLACEHOLDER=${OTHER}\n"
        "GITHUB_TOKEN=[REDACTED:github-token]\n"
    )
    assert dict(result.counts) == {"env-value": 3, "github-token": 1}


def test_without_env_file_mode_only_secret_named_keys_are_redacted():
    result = redact("DATABASE_HOST=db.internal\nDB_PASSWORD=s3cret!\n")
    assert result.text == "DATABASE_HOST=db.internal\nDB_PASSWORD=[REDACTED:env-value]\n"


def test_redaction_counts_are_read_only():
    result = redact(f"x {JWT}")
    with pytest.raises(TypeError):
        result.counts["jwt"] = 0  # type: ignore[index]


def test_token_in_a_url_query_string_is_redacted():
    result = redact("see https://x.example/cb?access_token=abcDEF123&state=1")
    assert result.text == "see https://x.example/cb?access_token=[REDACTED:env-value]&state=1"


def test_a_truncated_key_followed_by_a_complete_one_counts_both():
    text = "-----BEGIN RSA PRIVATE KEY-----\nMIIBx7Yz\n" + _pem("EC PRIVATE KEY") + "\ntail"
    result = redact(text)
    assert result.text == "[REDACTED:private-key]\n[REDACTED:private-key]\ntail"
    assert dict(result.counts) == {"private-key": 2}


def test_yaml_password_and_basic_auth_header_are_redacted():
    result = redact("password: hunter2\nuser: bob\nAuthorization: Basic dXNlcjpwYXNzd29yZA==")
    assert result.text == "password: [REDACTED:env-value]\nuser: bob\nAuthorization: Basic [REDACTED:bearer-token]"


# --- cockpit's rules for credentials in command lines, webhooks and file names -------------------------------

@pytest.mark.parametrize(("line", "expected"), [
    ("./deploy.sh --token=abcDEF123456 --env prod", "./deploy.sh --token=[REDACTED:cli-secret] --env prod"),
    ("gh auth login --with-token --token ghx9Kq2LmZ7", "gh auth login --with-token --token [REDACTED:cli-secret]"),
    ("tool --api-key 'k3y-Value-99' run", "tool --api-key '[REDACTED:cli-secret]' run"),
    ('wget --http-password="Pa55w0rd!" https://x', 'wget --http-password="[REDACTED:cli-secret]" https://x'),
    ("az login --client-secret=Zx8.Kq2~Lm9", "az login --client-secret=[REDACTED:cli-secret]"),
    ("curl -u admin:s3cr3tPw9 https://api.example.com", "curl -u admin:[REDACTED:cli-secret] https://api.example.com"),
    ("curl -s \\\n  --user 'deploy:Hx9aa2Lq' https://x", "curl -s \\\n  --user 'deploy:[REDACTED:cli-secret]' https://x"),
    ("mysql -h db -u root -pS3cretPw shop", "mysql -h db -u root -p[REDACTED:cli-secret] shop"),
    ("sshpass -p Hx9aa2Lq ssh deploy@host", "sshpass -p [REDACTED:cli-secret] ssh deploy@host"),
    ("redis-cli -h cache -a Rd9sPw77 ping", "redis-cli -h cache -a [REDACTED:cli-secret] ping"),
    ("aws configure set aws_secret_access_key " + AWS_SECRET,
     "aws configure set aws_secret_access_key [REDACTED:aws-secret]"),
    ("aws configure set profile.ci.aws_session_token FwoGZXIvYXdzEJr//////////wEaDFake",
     "aws configure set profile.ci.aws_session_token [REDACTED:aws-secret]"),
])
def test_credentials_on_command_lines_are_redacted_and_the_command_kept(line, expected):
    assert redact(line).text == expected


@pytest.mark.parametrize("line", [
    "pass --token to the CLI, or --password when asked",  # prose about flags
    "cockpit hooks install --command cockpit",
    "docker login --password-stdin < token.txt",
    "gh run --token $GITHUB_TOKEN",
    "curl -u user:password https://example.com",  # a documentation placeholder
    "curl -u $USER:$PASS https://example.com",
    "mysql -u root -p shop",  # -p alone: mysql asks for the password
    "docker run -u 1000:1000 image",  # not curl: a uid:gid
    "ssh -p 2222 host && mkdir -p build",
])
def test_command_lines_without_a_credential_are_left_alone(line):
    assert redact(line).text == line


def test_webhook_urls_lose_their_credential_path_and_keep_their_host():
    slack = "https://hooks.slack.com/services/T01ABCDEF/B02GHIJKL/" + "a1B2c3D4e5F6g7H8i9J0kL1m"
    discord = "https://discord.com/api/webhooks/123456789012345678/" + "Zx8Kq2Lm9Np4Rs7Tv1Wy3" * 3
    result = redact(f"post to {slack} and {discord} then stop")
    assert result.text == ("post to https://hooks.slack.com/services/[REDACTED:slack-webhook] and "
                           "https://discord.com/api/webhooks/[REDACTED:discord-webhook] then stop")


@pytest.mark.parametrize(("text", "expected"), [
    (f"diff --git a/notes-{GITHUB_CLASSIC}.md b/notes-{GITHUB_CLASSIC}.md",
     "diff --git a/notes-[REDACTED:github-token].md b/notes-[REDACTED:github-token].md"),
    (f"/home/dev/.cache/{GITHUB_APP}/config.json", "/home/dev/.cache/[REDACTED:github-token]/config.json"),
    (f"backup_{STRIPE}.csv", "backup_[REDACTED:stripe-key].csv"),
    ("upload-" + "np" + "m_" + "a1b2c3d4e5" * 3 + "f6g7h8" + ".tgz", "upload-[REDACTED:npm-access-token].tgz"),
])
def test_a_token_inside_a_file_name_or_path_segment_is_redacted(text, expected):
    assert redact(text).text == expected


def test_a_token_cut_short_by_a_display_ellipsis_is_redacted_and_plain_words_are_not():
    cut = "Rotate the key and " + "github" + "_pat_" + "11ABCDEFG0aaaaaaaaaaaa_Xy7Xy7Xy7…"
    assert redact(cut).text == "Rotate the key and [REDACTED:github-token]…"
    assert redact("a4F9kQ2mZx7Lp0Wn3Rt8…").text == "[REDACTED:cut-token]…"
    for plain in ("an internationalization…", "see parse_arguments_from_the_config…", "version 2026-02-12…"):
        assert redact(plain).text == plain


# --- gitleaks' rules, generated -------------------------------------------------------------------------------

GITLEAKS_SAMPLES = [
    ("sendgrid-api-token", "S" + "G." + "a1B2c3D4e5F6g7H8i9J0kL" + "." + "m1N2o3P4q5R6s7T8u9V0w1X2y3Z4a5B6c7D8e9F0g1H"),
    ("npm-access-token", "np" + "m_" + "a1b2c3d4e5" * 3 + "f6g7h8"),
    ("pypi-upload-token", "pypi-AgEIcHlwaS5vcmc" + "Q7w9Zx8Kq2" * 6),
    ("huggingface-access-token", "h" + "f_" + "QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi"),
    ("gitlab-ptt", "gl" + "ptt-" + "0123456789abcdef0123456789abcdef01234567"),
    ("gitlab-runner-authentication-token", "gl" + "rt-" + "Zx8Kq2Lm9Np4Rs7Tv1Wy"),
    ("twilio-api-key", "S" + "K" + "0123456789abcdef0123456789abcdef"),
    ("doppler-api-token", "dp.pt." + "Zx8Kq2Lm9Np4Rs7Tv1Wy3" * 2 + "a"),
    ("shopify-access-token", "shp" + "at_" + "0123456789abcdef" * 2),
    ("digitalocean-pat", "dop" + "_v1_" + "0123456789abcdef" * 4),
    ("age-secret-key", "AGE-SECRET-KEY-1" + "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" * 2),
]


@pytest.mark.parametrize(("kind", "secret"), GITLEAKS_SAMPLES, ids=[k for k, _ in GITLEAKS_SAMPLES])
def test_gitleaks_rules_find_their_tokens(kind, secret):
    secret = secret[:{"age-secret-key": 74}.get(kind, len(secret))]
    result = redact(f"the value is {secret} here")
    assert secret not in result.text and result.counts.get(kind) == 1, dict(result.counts)
    assert result.text == f"the value is [REDACTED:{kind}] here"


def test_keyword_rules_need_their_keyword_and_redact_only_the_secret():
    value = "key-" + "0123456789abcdef" * 2
    assert redact(f"mailgun_api_key: {value}").text == "mailgun_api_key: [REDACTED:mailgun-private-api-token]"
    assert redact(f"some value {value}").total == 0  # without the word mailgun it is not a Mailgun key


def test_gitleaks_entropy_threshold_and_allowlists_are_respected():
    assert redact("dp.pt." + "a" * 43).total == 0  # doppler: entropy 2 required, a run of one letter has 0
    assert redact("token=${{ secrets.GITHUB_TOKEN }}").total == 0


def test_the_generated_table_says_what_it_ported_and_dropped():
    from cockpit.core import redact_rules

    ids = [r[0] for r in redact_rules.RULES]
    dropped = dict(redact_rules.DROPPED)
    assert len(ids) >= 200 and len(ids) == len(set(ids)) and not set(ids) & set(dropped)
    assert "nested quantifiers" in dropped["curl-auth-user"] and "path" in dropped["pkcs12-file"]
    assert "replaced by cockpit" in dropped["generic-api-key"]
    for rid, pattern, anchors, keywords, group, entropy, *_ in redact_rules.RULES:
        compiled = re.compile(pattern, re.ASCII)
        assert keywords and all(k == k.lower() for k in keywords), rid
        assert all(len(a) >= 2 and a == a.lower() for a in anchors), rid
        assert group <= compiled.groups and entropy >= 0


def test_anchored_search_finds_exactly_what_a_full_scan_finds():
    """Every match of an anchored rule begins with one of its anchors: searching only there loses nothing."""
    from cockpit.core import redact_engine as e
    from cockpit.core.redact import RULES

    pieces = []
    for n, rule in enumerate(RULES):
        for anchor in rule.anchors:
            pieces.append(f"{anchor}{B62[:n % 17]}{B62 * 3} x = {anchor.upper()}Ab{B62 * 4}\n")
    text = "".join(pieces) + "".join(f"{k} = {k}-{B62}{B62}\n" for k, _ in GITLEAKS_SAMPLES)
    lower = text.lower()
    keywords = e.Keywords(text, lower)
    for rule in RULES:
        if not rule.anchors:
            continue
        pattern = e.compiled(rule.pattern)
        assert [m.span() for m in e.matches(rule, text, lower, keywords)] == \
            [m.span() for m in pattern.finditer(text)], rule.kind


def test_a_long_text_and_its_lines_one_by_one_give_the_same_redaction():
    """The distinct-words pre-filter of long texts never skips a rule that matches."""
    lines = [f"line {n}: " + s for n, (_, s) in enumerate(GITLEAKS_SAMPLES)] + [
        f"GITHUB_TOKEN={GITHUB_CLASSIC}", f"key {ANTHROPIC}", "curl -u admin:s3cr3tPw9 https://x",
        "mailgun_api_key: key-" + "0123456789abcdef" * 2, f"cookie {JWT}"]
    filler = "ordinary words of a transcript, nothing secret here\n" * 400
    text = filler + "\n".join(lines) + "\n" + filler
    assert len(text) > 16_384
    whole = redact(text)
    one_by_one = [redact(line) for line in lines]
    assert whole.text == filler + "\n".join(x.text for x in one_by_one) + "\n" + filler
    assert whole.total == sum(x.total for x in one_by_one) == len(lines)


def test_every_rule_stays_fast_on_text_built_to_make_it_backtrack():
    import time

    from cockpit.core.redact import RULES

    anchors = sorted({a for rule in RULES for a in rule.anchors} | {k for rule in RULES for k in rule.keywords})
    hostile = "".join(f"{a}{'a1-' * 300}{a}{'=' * 50}{a.upper()}{' ' * 30}" for a in anchors)
    text = hostile * max(1, 1_000_000 // len(hostile))
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 20  # linear: about a second; a backtracking rule takes minutes


# --- the generator: Go RE2 to Python, and what it refuses ------------------------------------------------------

def _generator():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "gen_redact_rules.py"
    spec = importlib.util.spec_from_file_location("gen_redact_rules", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.mark.parametrize(("go", "python"), [
    (r"\b(p8e-(?i)[a-z0-9]{32})", r"\b(p8e-(?i:[a-z0-9]{32}))"),  # a bare (?i) holds to the end of its group
    (r"a(?i)b|c", r"a(?i:b)|(?i:c)"),  # and into the later branches of that group
    (r"(?i)key(?-i:ABC)", r"(?i:key(?-i:ABC))"),
    (r"\b(pat[[:alnum:]]{14})\b", r"\b(pat[a-zA-Z0-9]{14})\b"),
    (r"tok(?:[^\w-]|\z)", r"tok(?:[^\w-]|\Z)"),
    (r"\bZXlK(?P<alg>aGJH)x", r"\bZXlK(?:aGJH)x"),  # named groups label parts, they are not the secret
    (r"[a&&b|c~~d]", r"[a\&\&b\|c\~\~d]"),
])
def test_go_regexes_are_translated_to_python(go, python):
    assert _generator().translate(go) == python


@pytest.mark.parametrize(("pattern", "risky"), [
    (r"curl(?:.*?|.*?(?:[\r\n]{1,2}.*?){1,5})-u", True),
    (r"(a+)+b", True),
    (r"[a-z]+@", True),  # starts with an unbounded repeat: quadratic on a long run of letters
    (r"(?:[a-z0-9]{4}-){3}[a-z0-9]{1,4}", False),
    (r"\bsk-[A-Za-z0-9]{20,}", False),
])
def test_patterns_that_can_backtrack_are_refused(pattern, risky):
    assert bool(_generator().backtracking_risk(pattern)) is risky


def test_no_rule_of_cockpits_own_can_backtrack_either():
    from cockpit.core.redact import RULES

    risky = {rule.kind: why for rule in RULES if (why := _generator().backtracking_risk(rule.pattern))}
    assert risky == {}


def test_anchors_are_the_literal_starts_of_every_match():
    gen = _generator()
    assert gen.anchors(r"\b(?:sk|rk)_live_[a-z]+") == ("rk_live_", "sk_live_")
    assert gen.anchors(r"(?i:(?:cohere|CO_API_KEY)[ \t]*=)") == ("co_api_key", "cohere")
    assert gen.anchors(r"(?:https?://)?hooks\.slack\.com/x") == ("hooks.slack.com/x", "http://hooks.slack.com/x",
                                                                   "https://hooks.slack.com/x")
    assert gen.anchors(r"[a-z]{3}\dQ~") == ()  # no literal start: the whole text is scanned


def test_the_generator_ports_a_rule_file_and_lists_what_it_drops():
    gen = _generator()
    config = {"allowlist": {"regexes": [r"^\$\{\w+\}$"], "stopwords": ["example"]}, "rules": [
        {"id": "demo-token", "regex": r"\b(demo_(?i)[a-z0-9]{20})(?:[\x60'" + '"' + r"\s;]|\\[nr]|$)",
         "keywords": ["demo_"], "entropy": 3},
        {"id": "tf-password", "regex": "password", "path": r"\.tf$", "keywords": ["password"]},
        {"id": "nested", "regex": r"(?:x[a-z]+)+y", "keywords": ["x"]},
    ]}
    text, ported, dropped = gen.render(config, "abc123", "https://example.com/gitleaks.toml")
    assert (ported, dropped) == (1, 2)
    namespace: dict = {}
    exec(compile(text, "redact_rules.py", "exec"), namespace)
    (rule,) = namespace["RULES"]
    assert rule[0] == "demo-token" and rule[2] == ("demo_",) and rule[3] == ("demo_",) and rule[5] == 3.0
    assert re.compile(rule[1], re.ASCII).search("x demo_ABCdef1234567890XYZW.").group(1) == "demo_ABCdef1234567890XYZW"
    assert [d[0] for d in namespace["DROPPED"]] == ["tf-password", "nested"]
    assert "GENERATED FILE" in text and "MIT License" in text and "abc123" in text


@pytest.mark.parametrize("text", [
    "MAX_TOKENS = 200_000",
    'SECRETS_FILE = "secrets.json"\nTOKEN_PATH=/run/secrets/token',
    'print("cockpit vibe: no ANTHROPIC_API_KEY: deterministic checks only (offline)")',
    "the path is codex_dir/sessions/YYYY/MM/DD/rollout-…",
])
def test_names_of_secrets_and_prose_about_them_are_left_alone(text):
    assert redact(text).text == text
