"""`make audit`: Django's deployment checklist against the production settings, and the
installed packages against the known vulnerabilities (pip-audit). Run by `make test`.

1. `manage.py check --deploy --fail-level WARNING` with production settings from the
   environment as the README's "In production" lists them (debug off, a secret key, allowed
   hosts, SSL redirect, HSTS, an SMTP host), dummy values here. Two warnings are the hosting's
   decision, not the code's (README): HSTS for subdomains and the HSTS preload list; any other
   warning or error fails.
2. `pip-audit` over the installed environment (the project itself, installed editable, is
   skipped). A vulnerability fails. The only failure tolerated is the vulnerability service
   being out of reach: no network, a proxy refusing, or an index that is not PyPI (every
   package "not found", which the real PyPI never says of Django). Then this says so loudly,
   names what was not audited, and passes.

Standard library only: it runs before anything else is known to work.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

# Left to whoever hosts Parley (README, "In production").
HOSTING_DECIDES = {
    "security.W005": "HSTS for every subdomain (SECURE_HSTS_INCLUDE_SUBDOMAINS)",
    "security.W021": "the browsers' HSTS preload list (SECURE_HSTS_PRELOAD)",
}
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": f"audit-only-{secrets.token_urlsafe(48)}",
    "DJANGO_ALLOWED_HOSTS": "parley.example",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://parley.example",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "DJANGO_HSTS_SECONDS": "31536000",
    "SMTP_HOST": "smtp.parley.example",
    "SMTP_USER": "parley",
    "SMTP_PASSWORD": "audit-only",
    "LOG_FORMAT": "console",
    "PARLEY_SANDBOX": "0",  # production is never a sandbox (a shell's export must not say so)
}
NETWORK_TROUBLE = re.compile(
    r"ConnectionError|ConnectTimeout|ReadTimeout|ProxyError|NameResolutionError|"
    r"Max retries exceeded|Temporary failure in name resolution|Network is unreachable|"
    r"Connection refused|timed out|SSLError|getaddrinfo failed",
)
# A package certainly on PyPI: "not found" for it means the index answering is not PyPI.
SURELY_PUBLISHED = "django"


def deploy_check() -> bool:
    env = {**os.environ, **PRODUCTION}
    command = [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "ERROR"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    output = result.stdout + result.stderr
    found = set(re.findall(r"\(([a-z_]+\.[A-Z]\d+)\)", output))
    unexpected = found - set(HOSTING_DECIDES)
    if result.returncode != 0 or unexpected:
        print(output.strip())
        print(
            f"audit: manage.py check --deploy FAILED ({', '.join(sorted(unexpected)) or 'error'})"
        )
        return False
    left = "; ".join(f"{HOSTING_DECIDES[code]} ({code})" for code in sorted(found))
    print("audit: manage.py check --deploy passed with production settings" + (
        f"; left to the hosting: {left}" if left else ""
    ))  # fmt: skip
    return True


def dependency_audit() -> bool:
    command = [PYTHON, "-m", "pip_audit", "--skip-editable", "--format", "json"]
    command += ["--progress-spinner", "off"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    try:
        report = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        report = {}
    dependencies = report.get("dependencies", [])
    if not dependencies:
        if NETWORK_TROUBLE.search(result.stderr):
            return _unreachable(_last_line(result.stderr))
        print(result.stderr.strip())
        print(f"audit: pip-audit FAILED (exit {result.returncode}) without a report")
        return False
    vulnerable = [d for d in dependencies if d.get("vulns")]
    if vulnerable:
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
                print(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
        count = len(vulnerable)
        print(f"audit: pip-audit FAILED: {count} installed package(s) with known vulnerabilities")
        return False
    skipped = {d["name"]: d.get("skip_reason", "") for d in dependencies if "skip_reason" in d}
    audited = len(dependencies) - len(skipped)
    if "not found on pypi" in skipped.get(SURELY_PUBLISHED, "").lower():
        return _unreachable(
            f"the index answering says even {SURELY_PUBLISHED} is not on PyPI (not PyPI: a "
            f"mirror or a sandbox); {len(skipped)} of {len(dependencies)} packages not audited"
        )
    if result.returncode != 0:
        print(result.stderr.strip())
        print(f"audit: pip-audit FAILED (exit {result.returncode})")
        return False
    note = f" ({len(skipped)} skipped: {', '.join(sorted(skipped))})" if skipped else ""
    print(f"audit: pip-audit: no known vulnerabilities in {audited} installed packages{note}")
    return True


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def _unreachable(why: str) -> bool:
    print("audit: WARNING: pip-audit could not reach the vulnerability service, so the installed")
    print("audit: WARNING: packages were NOT checked for known vulnerabilities. Run `make audit`")
    print(f"audit: WARNING: where PyPI is reachable. ({why})")
    return True


def main() -> int:
    checks = [deploy_check(), dependency_audit()]
    return 0 if all(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
