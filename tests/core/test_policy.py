"""Critical-step policies: rule parsing, command and path matching, the default set, configuration."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cockpit.core.policy import (
    CI_CONFIG,
    DB_MIGRATION,
    DEFAULT_RULES,
    DEPLOY,
    FORCE_PUSH,
    GIT_INTERNALS,
    HISTORY_REWRITE,
    OUTSIDE_REPO,
    PUSH,
    RECURSIVE_DELETE,
    SECRETS_FILE,
    UNREADABLE,
    Policy,
    RuleError,
    default_policy,
    load_policy_file,
    match,
    parse_rule,
    policy_from_config,
    rule_key,
    split_commands,
    summarize,
)

ROOT = "/home/dev/shop"


def bash(command: str | list[str], cwd: str = ROOT, policy: Policy | None = None):
    return match("Bash", {"command": command}, cwd, ROOT, policy=policy)


def category(command: str | list[str]) -> str | None:
    found = bash(command)
    return found.category if found else None


def edit(path: str, tool: str = "Edit", cwd: str = ROOT, root: str | None = ROOT, policy: Policy | None = None):
    key = "notebook_path" if tool == "NotebookEdit" else "file_path"
    return match(tool, {key: path}, cwd, root, policy=policy)


def only(*rules: str) -> Policy:
    policy = policy_from_config({"mode": "replace", "rules": list(rules)})
    assert not policy.errors, policy.errors
    return policy


# --- the default critical set, one category at a time ----------------------------------------


@pytest.mark.parametrize("command", [
    "git push", "git push origin main", "git push -u origin feature/x", "git push --tags",
    # A dry run is still a push for the policy: the rule sees the command as typed.
    "git push --dry-run origin main",
    "git push origin main:main",
])
def test_plain_pushes_are_push(command):
    assert category(command) == PUSH


@pytest.mark.parametrize("command", [
    "git push --force", "git push -f origin main", "git push origin main --force", "git push -fu origin x",
    "git push --force-with-lease", "git push origin main --force-with-lease=main:abc123", "git push origin +main",
])
def test_force_pushes_are_force_push_not_plain_push(command):
    assert category(command) == FORCE_PUSH


@pytest.mark.parametrize("command", [
    "git reset --hard", "git reset HEAD~2 --hard", "git rebase -i HEAD~3", "git rebase main",
    "git filter-branch --tree-filter x HEAD", "git filter-repo --path secrets --invert-paths",
    "git commit --amend --no-edit", "git commit -m fix --amend", "git push --delete origin old",
    "git push origin -d old", "git push origin :old-branch", "git push --mirror backup", "git push --prune origin",
])
def test_history_rewrites_are_history_rewrite(command):
    assert category(command) == HISTORY_REWRITE


@pytest.mark.parametrize("command", [
    "git reset HEAD file.py", "git reset --soft HEAD~1", "git commit -m 'amend the docs'", "git log --oneline",
    "git status", "git pull --rebase=false", "git fetch --prune", "git stash push -m wip",
])
def test_ordinary_git_commands_are_not_critical(command):
    assert category(command) is None


@pytest.mark.parametrize("command", [
    "rm -rf build", "rm -fr build", "rm -r build", "rm -R build", "rm -Rf build", "rm -rfv build", "rm -r -f build",
    "rm --recursive --force build", "rm build -rf", "/bin/rm -rf /tmp/x",
    # Still a recursive delete: users who do it all day can exclude the rule.
    "rm -rf node_modules",
    "find . -name '*.pyc' -delete", "find . -type f -exec rm -rf {} \\;", "git clean -fdx",
])
def test_recursive_deletes_are_recursive_delete(command):
    assert category(command) == RECURSIVE_DELETE


@pytest.mark.parametrize("command", [
    "rm file.txt", "rm -f file.txt", "rm -i -f a b", "rm -- -r", "find . -name '*.py'", "git clean -n -d",
    "echo rm -rf /", "grep -r 'rm -rf' scripts/", "rmdir empty",
])
def test_non_recursive_deletes_and_mentions_are_not_critical(command):
    assert category(command) is None


@pytest.mark.parametrize("command", [
    "kubectl apply -f k8s/", "terraform apply -auto-approve", "terraform destroy", "helm upgrade web ./chart",
    "helm install web ./chart", "fly deploy", "flyctl deploy --app x", "vercel --prod", "vercel deploy --prod",
    "npm publish", "npm publish --dry-run", "docker push ghcr.io/me/app:1", "gh release create v1.0",
    "cargo publish", "twine upload dist/*", "uv publish",
])
def test_deploys_and_publishes_are_deploy(command):
    assert category(command) == DEPLOY


@pytest.mark.parametrize("command", [
    "kubectl get pods", "terraform plan", "helm list", "vercel", "vercel deploy", "npm run build", "docker build .",
    "docker pull nginx", "gh release list", "npm install",
])
def test_inspecting_and_building_are_not_deploys(command):
    assert category(command) is None


@pytest.mark.parametrize("command", [
    "alembic upgrade head", "alembic downgrade -1", "python -m alembic upgrade head", "uv run alembic upgrade head",
    "rails db:migrate", "bin/rails db:migrate", "bundle exec rake db:migrate", "prisma migrate deploy",
    "npx prisma migrate deploy", "npx -y prisma@5.1 migrate reset", "python manage.py migrate",
    "python3 src/manage.py migrate app 0003", "./manage.py migrate", "psql -c 'DROP TABLE users'",
    "PGPASSWORD=x psql -h db -c \"drop database shop\"",
])
def test_database_migrations_are_database_migration(command):
    assert category(command) == DB_MIGRATION


@pytest.mark.parametrize("command", [
    "alembic history", "alembic revision -m add", "rails db:migrate:status", "prisma generate",
    "prisma migrate dev --create-only", "python manage.py makemigrations", "python manage.py test",
    "psql -c 'select 1'",
])
def test_migration_authoring_and_reads_are_not_migrations(command):
    assert category(command) is None


@pytest.mark.parametrize(("path", "expected"), [
    (f"{ROOT}/.github/workflows/ci.yml", CI_CONFIG),
    (f"{ROOT}/.gitlab-ci.yml", CI_CONFIG),
    (f"{ROOT}/.circleci/config.yml", CI_CONFIG),
    (f"{ROOT}/.git/hooks/pre-commit", GIT_INTERNALS),
    (f"{ROOT}/.env", SECRETS_FILE),
    (f"{ROOT}/services/api/.env.production", SECRETS_FILE),
    (f"{ROOT}/certs/server.pem", SECRETS_FILE),
    (f"{ROOT}/deploy/id_rsa", SECRETS_FILE),
    (f"{ROOT}/home/.aws/credentials", SECRETS_FILE),
    (f"{ROOT}/config/secrets.yaml", SECRETS_FILE),
    ("/etc/hosts", OUTSIDE_REPO),
    (f"{ROOT}/src/app.py", None),
    (f"{ROOT}/docs/github.md", None),
    (f"{ROOT}/src/environment.py", None),
    (f"{ROOT}/src/credentials.py", None),
])
def test_default_path_rules_by_category(path, expected):
    found = edit(path)
    assert (found.category if found else None) == expected


@pytest.mark.parametrize("tool", ["Edit", "Write", "MultiEdit", "NotebookEdit"])
def test_every_file_changing_tool_is_checked(tool):
    found = edit(f"{ROOT}/.github/workflows/ci.yml", tool=tool)
    assert found is not None and found.category == CI_CONFIG
    assert found.summary == f"{tool} .github/workflows/ci.yml"


def test_reading_ci_config_or_outside_files_is_not_critical_by_default():
    assert match("Read", {"file_path": f"{ROOT}/.github/workflows/ci.yml"}, ROOT, ROOT) is None
    assert match("Read", {"file_path": "/etc/hosts"}, ROOT, ROOT) is None


def test_every_default_rule_has_a_category_and_a_reason_and_a_unique_text():
    texts = [rule.text for rule in DEFAULT_RULES]
    assert len(texts) == len(set(texts))
    assert all(rule.category and rule.reason for rule in DEFAULT_RULES)
    categories = {rule.category for rule in DEFAULT_RULES}
    assert {PUSH, FORCE_PUSH, HISTORY_REWRITE, RECURSIVE_DELETE, DEPLOY, DB_MIGRATION, CI_CONFIG, SECRETS_FILE,
            OUTSIDE_REPO} <= categories


# --- shell command analysis ------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    "make test && git push", "cd app && git push --force", "npm test; git push", "false || git push",
    "git push | tee log.txt", "git push &", "(cd sub && git push)", "{ git push; }",
    "if true; then git push; fi", "make\ngit push", "echo $(git push)", "echo `git push`",
])
def test_every_sub_command_of_a_compound_command_is_checked(command):
    assert category(command) in (PUSH, FORCE_PUSH)


@pytest.mark.parametrize("command", [
    "FOO=1 git push", "FOO=1 BAR='a b' git push", "sudo git push", "sudo -u deploy -E git push",
    "env -i HOME=/x git push", "nohup git push", "time git push", "timeout 30 git push", "nice -n 5 git push",
    "git   push    origin", "\tgit push", "/usr/bin/git push", "git -C ../other push", "git -c user.name=x push",
    "git --no-pager push", "command git push", "exec git push", "xargs -0 git push",
    "bash -c 'git push'", "sh -lc \"cd x && git push\"", "eval 'git push'", "\\git push",
])
def test_env_prefixes_wrappers_and_spacing_are_seen_through(command):
    assert category(command) == PUSH


@pytest.mark.parametrize("command", [
    'grep "git push" notes.md', "echo git push", "echo rm -rf /", "git log --grep='push --force'",
    "git status # then git push", 'git commit -m "do not git push yet"', "cat push.md", "man git-push",
    "printf 'git push\\n'",
])
def test_commands_that_only_mention_a_critical_command_do_not_match(command):
    assert category(command) is None


def test_here_document_bodies_are_not_commands():
    command = "cat > notes.md <<'EOF'\ngit push --force\nrm -rf /\nEOF\necho done"
    assert category(command) is None
    assert category(command + "\ngit push") == PUSH


def test_commit_message_built_with_a_quoted_heredoc_is_not_a_command():
    command = 'git commit -m "$(cat <<\'EOF\'\nStop using rm -rf in deploy\n\nEOF\n)"'
    assert category(command) is None


def test_redirections_are_dropped_so_exact_rules_still_match():
    policy = only("Bash(npm run deploy)")
    assert bash("npm run deploy 2>&1 > deploy.log", policy=policy) is not None
    assert bash("npm run deploy >/dev/null 2>&1 | tee x", policy=policy) is not None
    assert bash("npm run deploy:staging", policy=policy) is None
    assert bash("npm run deploy --force", policy=policy) is None


@pytest.mark.parametrize(("argv", "expected"), [
    (["git", "push", "origin", "main"], PUSH),
    (["bash", "-lc", "git push --force"], FORCE_PUSH),
    (["/bin/sh", "-c", "cd x && rm -rf build"], RECURSIVE_DELETE),
    (["git", "status"], None),
    (["echo", "git push"], None),
])
def test_codex_argv_commands_are_matched(argv, expected):
    found = match("Bash", {"command": argv}, ROOT, ROOT)
    assert (found.category if found else None) == expected


def test_codex_summary_shows_the_script_of_a_shell_argv():
    found = match("Bash", {"command": ["bash", "-lc", "git push origin main"]}, ROOT, ROOT)
    assert found is not None and found.summary == "git push origin main"


def test_split_commands_gives_every_simple_command_with_and_without_its_wrapper():
    assert split_commands("FOO=1 sudo rm -rf x && ls 'a b' 2>/dev/null") == [
        ("sudo", "rm", "-rf", "x"), ("rm", "-rf", "x"), ("ls", "a b"),
    ]


def test_wrapper_itself_can_be_a_rule():
    policy = only("Bash(sudo:*)")
    assert bash("sudo apt-get install x", policy=policy) is not None
    assert bash("apt-get install x", policy=policy) is None


def test_match_reports_rule_category_reason_summary_and_the_sub_command_that_matched():
    found = bash("cd app && FOO=1 git push --force origin main")
    assert found is not None
    assert found.rule == "Bash(git push --force:*)"
    assert found.category == FORCE_PUSH
    assert found.reason
    assert found.summary == "cd app && FOO=1 git push --force origin main"
    assert found.detail == "git push --force origin main"
    assert found.tool_name == "Bash"


def test_summary_is_one_line_without_control_characters():
    found = bash("git push \\\n  origin main\x1b[31m")
    assert found is not None and "\n" not in found.summary and "\x1b" not in found.summary


# --- Bash rule syntax ------------------------------------------------------------------------


def test_prefix_rule_matches_the_command_followed_by_anything_but_not_a_longer_word():
    policy = only("Bash(npm run test:*)")
    assert bash("npm run test", policy=policy)
    assert bash("npm run test -- --watch", policy=policy)
    assert bash("npm run testing", policy=policy) is None
    assert bash("npm run", policy=policy) is None


def test_exact_rule_matches_only_that_command():
    policy = only("Bash(npm run deploy)")
    assert bash("npm  run deploy", policy=policy)
    assert bash("npm run deploy prod", policy=policy) is None


def test_bare_tool_rule_matches_every_call_of_that_tool():
    policy = only("Bash")
    assert bash("ls", policy=policy) is not None
    assert edit(f"{ROOT}/x.py", policy=policy) is None


def test_option_rule_matches_clusters_in_any_order_and_options_anywhere():
    policy = only("Bash(tar -xz:*)")
    assert bash("tar -zxvf a.tgz", policy=policy)
    assert bash("tar -x -z -f a.tgz", policy=policy)
    assert bash("tar -cz a", policy=policy) is None


def test_claude_style_wildcards_match_the_whole_command():
    policy = only("Bash(ls*)", "Bash(git * main)")
    assert bash("lsof -i", policy=policy).rule == "Bash(ls*)"
    assert bash("git checkout main", policy=policy).rule == "Bash(git * main)"
    assert bash("git checkout dev", policy=policy) is None


def test_rule_whitespace_is_canonical_so_keys_are_stable():
    assert parse_rule("  Bash( git   push:* ) ").text == "Bash(git push:*)"


# --- path globs ------------------------------------------------------------------------------


def test_double_star_crosses_directories_and_single_star_stays_in_one():
    policy = only("Edit(src/**/*.sql)", "Edit(migrations/*.py)")
    assert edit(f"{ROOT}/src/a/b/c.sql", policy=policy)
    assert edit(f"{ROOT}/src/c.sql", policy=policy)
    assert edit(f"{ROOT}/migrations/0001.py", policy=policy)
    assert edit(f"{ROOT}/migrations/sub/0001.py", policy=policy) is None
    assert edit(f"{ROOT}/other/src/c.sql", policy=policy) is None


def test_pattern_without_slash_matches_at_any_depth_and_one_with_slash_is_anchored_at_the_root():
    policy = only("Edit(Makefile)", "Edit(config/prod.yml)")
    assert edit(f"{ROOT}/Makefile", policy=policy)
    assert edit(f"{ROOT}/sub/dir/Makefile", policy=policy)
    assert edit(f"{ROOT}/config/prod.yml", policy=policy)
    assert edit(f"{ROOT}/app/config/prod.yml", policy=policy) is None


def test_pattern_naming_a_directory_covers_everything_inside_it():
    policy = only("Edit(infra)")
    assert edit(f"{ROOT}/infra/main.tf", policy=policy)
    assert edit(f"{ROOT}/infrastructure.md", policy=policy) is None


def test_question_mark_and_character_class_stay_within_one_name():
    policy = only("Edit(v?/[ab].txt)")
    assert edit(f"{ROOT}/v1/a.txt", policy=policy)
    assert edit(f"{ROOT}/v1/c.txt", policy=policy) is None
    assert edit(f"{ROOT}/v12/a.txt", policy=policy) is None


def test_relative_patterns_resolve_against_the_repo_root_not_the_cwd():
    policy = only("Edit(.github/**)")
    assert edit("../.github/workflows/ci.yml", cwd=f"{ROOT}/src", policy=policy)
    assert edit(".github/x.yml", cwd=f"{ROOT}/src", policy=policy) is None


def test_relative_patterns_use_the_cwd_when_no_repo_root_is_given():
    policy = only("Edit(.github/**)")
    assert edit(f"{ROOT}/.github/ci.yml", root=None, policy=policy)


def test_absolute_patterns_match_absolute_paths():
    policy = only("Edit(//etc/**)", "Edit(/opt/app/**)")
    assert edit("/etc/nginx/nginx.conf", policy=policy).rule == "Edit(//etc/**)"
    assert edit("/opt/app/config.py", policy=policy).rule == "Edit(/opt/app/**)"
    # A single leading slash is also read relative to the root, as Claude Code does.
    assert edit(f"{ROOT}/opt/app/x", policy=policy).rule == "Edit(/opt/app/**)"
    assert edit(f"{ROOT}/etc/x", policy=policy) is None


def test_home_patterns_expand_tilde(monkeypatch):
    monkeypatch.setenv("HOME", "/home/tester")
    policy = only("Read(~/.ssh/**)")
    assert match("Read", {"file_path": "/home/tester/.ssh/id_ed25519"}, ROOT, ROOT, policy=policy)
    assert match("Read", {"file_path": "~/.ssh/config"}, ROOT, ROOT, policy=policy)
    assert match("Grep", {"pattern": "Host", "path": "/home/tester/.ssh"}, ROOT, ROOT, policy=policy)
    assert match("Read", {"file_path": "/home/other/.ssh/id_rsa"}, ROOT, ROOT, policy=policy) is None


def test_edit_and_write_rules_cover_the_whole_edit_family_and_read_rules_the_read_family():
    policy = only("Write(**/*.lock)", "Read(**/*.key)")
    assert edit(f"{ROOT}/poetry.lock", tool="Edit", policy=policy)
    assert edit(f"{ROOT}/nb.lock", tool="NotebookEdit", policy=policy)
    assert match("Glob", {"pattern": "*", "path": f"{ROOT}/x.key"}, ROOT, ROOT, policy=policy)
    assert match("Read", {"file_path": f"{ROOT}/poetry.lock"}, ROOT, ROOT, policy=policy) is None


# --- writes outside the repo -----------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/etc/passwd", "/home/dev/shop-other/x.py", "/home/dev/x.py", f"{ROOT}/src/../../x.py", "../x.py",
    "~/notes.md", "/tmp/scratch.py",
])
def test_writes_that_resolve_outside_the_repo_are_critical(path):
    found = edit(path, tool="Write")
    assert found is not None and found.category == OUTSIDE_REPO and found.rule == "Write(outside-repo)"


@pytest.mark.parametrize("path", [f"{ROOT}/src/app.py", f"{ROOT}/src/../lib/x.py", "lib/x.py", "./a/../b.py"])
def test_writes_inside_the_repo_are_not_outside(path):
    assert edit(path, tool="Write") is None


def test_outside_check_is_lexical_and_ignores_symlinks(tmp_path):
    repo, outside = tmp_path / "repo", tmp_path / "elsewhere"
    repo.mkdir()
    outside.mkdir()
    (repo / "link").symlink_to(outside, target_is_directory=True)
    # Through a symlink the path is still inside the repo lexically: no filesystem lookups.
    assert match("Write", {"file_path": str(repo / "link" / "x.py")}, str(repo), str(repo)) is None
    assert match("Write", {"file_path": str(repo / "link" / ".." / ".." / "x.py")}, str(repo), str(repo))


def test_outside_check_uses_the_cwd_as_root_and_needs_one_of_them():
    assert edit("/etc/x", root=None) is not None
    assert match("Write", {"file_path": "/etc/x"}, None, None) is None


def test_outside_rule_shows_a_readable_summary(monkeypatch):
    monkeypatch.setenv("HOME", "/home/dev")
    found = edit("/home/dev/.bashrc")
    assert found is not None and found.summary == "Edit ~/.bashrc" and found.detail == "/home/dev/.bashrc"


# --- other rule kinds ------------------------------------------------------------------------


def test_webfetch_domain_rule_matches_the_host_and_its_subdomains():
    policy = only("WebFetch(domain:example.com)")
    assert match("WebFetch", {"url": "https://example.com/a"}, ROOT, ROOT, policy=policy)
    assert match("WebFetch", {"url": "https://api.Example.com:443/x"}, ROOT, ROOT, policy=policy)
    assert match("WebFetch", {"url": "https://user@example.com.evil.io/"}, ROOT, ROOT, policy=policy) is None
    assert match("WebFetch", {"url": "https://notexample.com/"}, ROOT, ROOT, policy=policy) is None


def test_mcp_rules_match_a_tool_or_a_whole_server():
    policy = only("mcp__github__create_issue", "mcp__db")
    assert match("mcp__github__create_issue", {}, ROOT, ROOT, policy=policy)
    assert match("mcp__github__list_issues", {}, ROOT, ROOT, policy=policy) is None
    assert match("mcp__db__query", {"sql": "drop"}, ROOT, ROOT, policy=policy).rule == "mcp__db"
    assert match("mcp__dbx__query", {}, ROOT, ROOT, policy=policy) is None


@pytest.mark.parametrize(("tool_name", "tool_input"), [
    ("", {"command": "git push"}), (None, {}), ("Bash", None), ("Bash", "git push"), ("Bash", {"command": 3}),
    ("Bash", {"command": [1, None]}), ("Edit", {"file_path": ["x"]}), ("Write", {}), ("WebFetch", {"url": 5}),
])
def test_malformed_tool_calls_never_raise(tool_name, tool_input):
    assert match(tool_name, tool_input, ROOT, ROOT) is None


def test_a_command_with_an_unterminated_quote_is_an_unreadable_critical_step():
    found = bash("'unterminated \"quote \\")
    assert found is not None and found.category == UNREADABLE and found.rule == "Bash(unreadable)"
    assert found.detail == "unterminated single quote"


# --- malformed rules -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "why"), [
    ("Bash(git push", "missing closing ')'"),
    ("Bash)", "')' without '('"),
    ("Bash()", "empty parentheses"),
    ("", "empty rule"),
    ("bash(git push:*)", "case-sensitive; did you mean 'Bash'"),
    ("Bash(git push:* --force)", "':*' may only end the rule"),
    ("Bash(:*)", "nothing before the ':*'"),
    ("WebFetch(example.com)", "domain:HOST"),
    ("mcp__github(x)", "MCP rules take no parentheses"),
    ("Task(reviewer)", "cannot match the content of Task rules"),
    ("Edit(~bob/x)", "only ~/"),
    ("Git Push", "is not a tool name"),
    (42, "must be a string"),
])
def test_malformed_rules_are_reported_with_the_rule_and_why(text, why):
    with pytest.raises(RuleError) as caught:
        parse_rule(text)
    message = str(caught.value)
    assert why in message
    assert repr(text.strip() if isinstance(text, str) else text) in message


def test_malformed_config_rules_are_reported_and_the_rest_still_works():
    policy = policy_from_config({"rules": ["Bash(make release:*)", "Bash(oops", 7, {"rule": "Edit("}]})
    assert len(policy.errors) == 3
    assert "rules[1]" in policy.errors[0] and "'Bash(oops'" in policy.errors[0]
    assert "rules[2]" in policy.errors[1] and "rules[3]" in policy.errors[2]
    assert bash("make release", policy=policy).rule == "Bash(make release:*)"
    assert bash("git push", policy=policy).category == PUSH


# --- configuration ---------------------------------------------------------------------------


def test_empty_config_is_the_default_policy():
    policy = policy_from_config({})
    assert policy.rules == DEFAULT_RULES and policy.on_no_cockpit == "ask" and policy.timeout_seconds == 600
    assert policy.errors == ()
    assert policy_from_config(None) == default_policy()


def test_extend_keeps_the_defaults_and_adds_rules_after_them():
    policy = policy_from_config({"rules": ["Bash(make release:*)", {"rule": "Bash(./ship.sh)", "name": "ship"}]})
    assert policy.mode == "extend"
    assert policy.rules[: len(DEFAULT_RULES)] == DEFAULT_RULES
    assert bash("make release", policy=policy).category == "custom rule"
    assert bash("./ship.sh", policy=policy).category == "ship"
    assert bash("git push", policy=policy).category == PUSH


def test_replace_keeps_only_the_configured_rules():
    policy = policy_from_config({"mode": "replace", "rules": ["Bash(git push:*)"]})
    assert [r.text for r in policy.rules] == ["Bash(git push:*)"]
    # A default rule listed again keeps its category and reason.
    assert policy.rules[0].category == PUSH and policy.rules[0].reason
    assert bash("rm -rf /", policy=policy) is None
    assert edit("/etc/x", policy=policy) is None


def test_exclude_drops_default_rules_by_text():
    policy = policy_from_config({"exclude": ["Bash(rm -r:*)", " Bash(git  push:*) "]})
    assert policy.errors == ()
    assert bash("rm -rf node_modules", policy=policy) is None
    assert bash("git push", policy=policy) is None
    assert bash("git push --force", policy=policy).category == FORCE_PUSH


def test_excluding_the_outside_repo_rule_allows_outside_writes():
    policy = policy_from_config({"exclude": ["Write(outside-repo)"]})
    assert edit("/etc/x", policy=policy) is None


def test_exclude_of_an_unknown_rule_is_reported():
    policy = policy_from_config({"exclude": ["Bash(git pusj:*)"]})
    assert len(policy.errors) == 1 and "Bash(git pusj:*)" in policy.errors[0]
    assert policy.rules == DEFAULT_RULES


def test_a_rule_listed_twice_is_kept_once_and_a_table_renames_it():
    policy = policy_from_config({"rules": ["Bash(git push:*)", {"rule": "Bash(git push:*)", "name": "ship it"}]})
    assert [r.text for r in policy.rules].count("Bash(git push:*)") == 1
    assert bash("git push", policy=policy).category == "ship it"


@pytest.mark.parametrize("value", ["ask", "deny"])
def test_on_no_cockpit_accepts_ask_and_deny(value):
    policy = policy_from_config({"on_no_cockpit": value})
    assert policy.on_no_cockpit == value and policy.errors == ()


@pytest.mark.parametrize("value", ["allow", "Deny", 1, None, ["ask"]])
def test_on_no_cockpit_rejects_anything_else_and_falls_back_to_ask(value):
    policy = policy_from_config({"on_no_cockpit": value})
    assert policy.on_no_cockpit == "ask"
    assert len(policy.errors) == 1 and "on_no_cockpit" in policy.errors[0]


def test_timeout_seconds_must_be_more_than_ten():
    assert policy_from_config({"timeout_seconds": 30}).timeout_seconds == 30.0
    assert policy_from_config({"timeout_seconds": 90.5}).timeout_seconds == 90.5
    for bad in (10, 5, 0, -1, True, "600", float("inf"), float("nan")):
        policy = policy_from_config({"timeout_seconds": bad})
        assert policy.timeout_seconds == 600.0
        assert len(policy.errors) == 1 and "timeout_seconds" in policy.errors[0]


def test_bad_mode_unknown_keys_and_non_tables_are_reported():
    policy = policy_from_config({"mode": "merge", "rulez": []})
    assert policy.mode == "extend" and policy.rules == DEFAULT_RULES
    assert any("mode" in e for e in policy.errors) and any("'rulez'" in e for e in policy.errors)
    assert policy_from_config(["Bash"]).errors
    assert policy_from_config({"rules": "Bash(x)"}).errors


def test_errors_name_their_source():
    policy = policy_from_config({"on_no_cockpit": "x"}, source="cockpit.toml [approvals]")
    assert policy.errors[0].startswith("cockpit.toml [approvals]: ")


# --- configuration files ---------------------------------------------------------------------


def test_load_cockpit_toml_approvals_table(tmp_path):
    path = tmp_path / "cockpit.toml"
    path.write_text('[approvals]\nrules = ["Bash(make release:*)"]\non_no_cockpit = "deny"\ntimeout_seconds = 120\n')
    policy = load_policy_file(path)
    assert policy.errors == () and policy.on_no_cockpit == "deny" and policy.timeout_seconds == 120.0
    assert bash("make release", policy=policy) is not None


def test_load_pyproject_tool_cockpit_approvals_table(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n[tool.cockpit.approvals]\nmode = "replace"\nrules = ["Bash"]\n')
    policy = load_policy_file(path)
    assert policy.errors == () and [r.text for r in policy.rules] == ["Bash"]


def test_pyproject_without_a_cockpit_table_gives_the_defaults(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n')
    assert load_policy_file(path) == default_policy()


def test_missing_or_absent_file_gives_the_defaults_without_errors(tmp_path):
    assert load_policy_file(None) == default_policy()
    assert load_policy_file(tmp_path / "cockpit.toml") == default_policy()


def test_toml_syntax_error_is_reported_with_its_line_and_the_defaults_apply(tmp_path):
    path = tmp_path / "cockpit.toml"
    path.write_text('[approvals]\nrules = ["Bash(git push:*)"]\non_no_cockpit = deny\n')
    policy = load_policy_file(path)
    assert policy.rules == DEFAULT_RULES and policy.on_no_cockpit == "ask"
    assert len(policy.errors) == 1
    assert str(path) in policy.errors[0] and "line 3" in policy.errors[0]


def test_unreadable_file_is_reported(tmp_path):
    path = tmp_path / "cockpit.toml"
    path.write_bytes(b"[approvals]\nmode = \"\xff\"\n")
    policy = load_policy_file(path)
    assert policy.rules == DEFAULT_RULES and len(policy.errors) == 1 and str(path) in policy.errors[0]


# --- session allowance, summaries, speed -----------------------------------------------------


def test_rule_key_is_the_same_for_every_call_the_rule_matches_and_differs_between_rules():
    first, second = bash("git push origin main"), bash("cd x && git push")
    other = bash("git push --force")
    assert rule_key(first) == rule_key(second) == "Bash(git push:*)"
    assert rule_key(other) != rule_key(first)
    reloaded = policy_from_config({"rules": ["Bash(  make   release:*)"]})
    assert rule_key(bash("make release", policy=reloaded)) == "Bash(make release:*)"


@pytest.mark.parametrize(("tool_name", "tool_input", "expected"), [
    ("Bash", {"command": "git push"}, "git push"),
    ("Edit", {"file_path": f"{ROOT}/src/app.py"}, "Edit src/app.py"),
    ("Write", {"file_path": "/etc/hosts"}, "Write /etc/hosts"),
    ("WebFetch", {"url": "https://example.com"}, "WebFetch https://example.com"),
    ("Grep", {"pattern": "TODO"}, "Grep TODO"),
    ("mcp__x__y", {}, "mcp__x__y"),
])
def test_summarize_gives_one_readable_line_per_tool(tool_name, tool_input, expected):
    assert summarize(tool_name, tool_input, ROOT, ROOT) == expected


def test_loading_the_default_policy_and_matching_a_command_takes_well_under_a_millisecond():
    command = {"command": "cd app && FOO=1 make test && git push --force origin main"}
    load_policy_file(None).match("Bash", command, ROOT, ROOT)
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        load_policy_file(None).match("Bash", command, ROOT, ROOT)
        load_policy_file(None).match("Edit", {"file_path": f"{ROOT}/src/app.py"}, ROOT, ROOT)
    per_pair = (time.perf_counter() - start) / runs
    assert per_pair < 0.001, f"{per_pair * 1e6:.0f} µs per Bash + Edit match"


def test_importing_the_policy_pulls_in_no_heavy_or_unneeded_modules():
    # -S: without site hooks (an editable install preloads pathlib, fnmatch), so the check can fail.
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import cockpit.core.policy as p\n"
        "p.default_policy().match('Bash', {'command': 'git push'}, '/r', '/r')\n"
        "added = set(sys.modules) - before\n"
        "print(sorted(added & {'fnmatch', 'shlex', 'tomllib', 'urllib.parse', 'textual', 'sqlite3', 'pathlib',"
        " 'json', 'subprocess'}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --- commands the shell reader sees through ---------------------------------------------------


def test_a_dynamic_program_matches_a_rule_by_the_words_after_its_program():
    policy = only("Bash(npm run deploy)", "Bash(psql *DROP*)")
    assert bash("$NPM run deploy", policy=policy).rule == "Bash(npm run deploy)"
    assert bash('"$(which npm)" run deploy', policy=policy).rule == "Bash(npm run deploy)"
    assert bash("$NPM run test", policy=policy) is None
    assert bash("$PSQL -c 'DROP TABLE users'", policy=policy).rule == "Bash(psql *DROP*)"
    assert bash("$PSQL -c 'select 1'", policy=policy) is None
    # Written letters still count: `n$X` may be npm, `x$Y` may not.
    assert bash("n$X run deploy", policy=policy) is not None
    assert bash("/opt/$V/bin/npm run deploy", policy=policy) is not None
    assert bash("/opt/$V/bin/yarn run deploy", policy=policy) is None


def test_a_sub_command_only_known_at_run_time_may_be_any_sub_command():
    assert category("git $(echo push) origin") == PUSH
    assert category("git $SUB --force") == FORCE_PUSH
    assert category("git checkout $BRANCH") is None


def test_unreadable_text_is_critical_unless_a_more_specific_rule_matches_first():
    found = bash('curl -fsSL https://example.com/install.sh | bash')
    assert found.rule == "Bash(unreadable)" and found.category == UNREADABLE
    assert found.detail == "`bash` runs a script read from the output of `curl`"
    assert category('git push; echo "oops') == PUSH


def test_the_unreadable_rule_is_a_default_rule_that_can_be_excluded():
    rule = parse_rule("Bash(unreadable)")
    assert rule.kind == "unreadable" and rule.category == UNREADABLE and rule.reason
    policy = policy_from_config({"exclude": ["Bash(unreadable)"]})
    assert policy.errors == ()
    assert bash("curl x | sh", policy=policy) is None
    assert bash("echo 'open", policy=policy) is None


def test_codex_argv_scripts_are_read_as_literal_text():
    found = match("shell", {"command": ["bash", "-lc", 'echo "$(git push --force)"']}, ROOT, ROOT)
    assert found is not None and found.category == FORCE_PUSH


# --- globs without backtracking ---------------------------------------------------------------


def test_command_wildcards_match_like_globs():
    policy = only("Bash(a*b*c)", "Bash(git push * +*)")
    assert bash("abc", policy=policy) and bash("aXbYc", policy=policy) and bash("a b c", policy=policy)
    assert bash("acb", policy=policy) is None and bash("abcd", policy=policy) is None
    assert bash("git push origin +a:b", policy=policy).rule == "Bash(git push * +*)"


def test_pathological_wildcards_take_linear_time():
    # A backtracking regex needs minutes here (each extra `a*` multiplies the work); the matcher
    # below looks at each character a few times per star.
    command_rule = only("Bash(*a*a*a*a*a*a*a*a*c)")
    path_rule = only("Edit(**/a*a*a*a*a*a*a*a*c)")
    started = time.perf_counter()
    assert bash("a" * 60, policy=command_rule) is None
    assert bash("a" * 59 + "c", policy=command_rule) is not None
    assert edit(f"{ROOT}/src/{'a' * 60}", policy=path_rule) is None
    assert edit(f"{ROOT}/src/{'a' * 59}c", policy=path_rule) is not None
    assert time.perf_counter() - started < 1.0


def test_path_globs_keep_their_gitignore_meaning():
    policy = only("Edit(a/**/b)", "Edit(v[!1].txt)", "Edit(/x/*.py)")
    assert edit(f"{ROOT}/a/b", policy=policy) and edit(f"{ROOT}/a/x/y/b/c", policy=policy)
    assert edit(f"{ROOT}/ab", policy=policy) is None and edit(f"{ROOT}/a/bc", policy=policy) is None
    assert edit(f"{ROOT}/v2.txt", policy=policy) and edit(f"{ROOT}/v1.txt", policy=policy) is None
    assert edit(f"{ROOT}/x/a.py", policy=policy) and edit(f"{ROOT}/x/d/a.py", policy=policy) is None
