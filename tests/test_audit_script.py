"""scripts/audit.py (`make audit`): what fails it and what only warns.

The real checks run in `make test` itself; here the two tools' answers are stood in for, so that
each verdict is seen without a network: a vulnerability fails, an unreachable vulnerability
service warns and passes, an unexpected deployment warning fails.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

import audit  # noqa: E402  (scripts/ is not a package)


def _answer(stdout: str = "", stderr: str = "", returncode: int = 0):
    def run(command, **kwargs):
        return subprocess.CompletedProcess(command, returncode, stdout, stderr)

    return run


def _report(*dependencies: dict) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


DJANGO_OK = {"name": "django", "version": "6.1.3", "vulns": []}


@pytest.mark.parametrize(
    ("answer", "passes", "says"),
    [
        (_answer(_report(DJANGO_OK)), True, "no known vulnerabilities in 1"),
        (
            _answer(
                _report(
                    DJANGO_OK,
                    {
                        "name": "pillow",
                        "version": "1.0",
                        "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["13.0.0"]}],
                    },
                ),
                returncode=1,
            ),
            False,
            "PYSEC-0000-1",
        ),
        (
            _answer(
                stderr="requests.exceptions.ConnectionError: Max retries exceeded", returncode=1
            ),
            True,
            "NOT checked",
        ),
        (
            _answer(
                _report({"name": "django", "skip_reason": "Dependency not found on PyPI and …"})
            ),
            True,
            "NOT checked",
        ),
        (_answer(stderr="Traceback: KeyError 'x'", returncode=1), False, "FAILED"),
    ],
    ids=["clean", "vulnerable", "no network", "not PyPI", "crashed"],
)
def test_dependency_audit_verdicts(monkeypatch, capsys, answer, passes, says):
    monkeypatch.setattr(audit.subprocess, "run", answer)
    assert audit.dependency_audit() is passes
    assert says in capsys.readouterr().out


@pytest.mark.parametrize(
    ("output", "returncode", "passes"),
    [
        ("?: (security.W005) subdomains\n?: (security.W021) preload\n", 0, True),
        ("System check identified no issues (0 silenced).\n", 0, True),
        ("?: (security.W018) You should not have DEBUG set to True\n", 0, False),
        ("?: (mail.E001) development-only email backend\n", 1, False),
    ],
    ids=["hosting's decisions", "clean", "debug on", "console mailer"],
)
def test_deploy_check_verdicts(monkeypatch, capsys, output, returncode, passes):
    monkeypatch.setattr(audit.subprocess, "run", _answer(stderr=output, returncode=returncode))
    assert audit.deploy_check() is passes
