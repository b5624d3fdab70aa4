#!/usr/bin/env bash
# The work of the GitHub Action (action.yml): install the ssot-audit wheel
# into a virtual environment of its own and run `ssot-audit check`. Its
# inputs are environment variables, so it runs the same outside GitHub:
#
#   SSOT_AUDIT_VERSION            version to install (default: the version in
#                                 the Cargo.toml beside action.yml, i.e. the
#                                 action's own release)
#   SSOT_AUDIT_FORMAT             sarif (default) or github
#   SSOT_AUDIT_ARGS               more arguments for `check`, split on blanks
#                                 (e.g. `--baseline ssot-baseline.json`)
#   SSOT_AUDIT_WORKING_DIRECTORY  where to run check (default: .)
#   SSOT_AUDIT_SARIF_FILE         SARIF output, relative to the working
#                                 directory (default: ssot-audit.sarif)
#   SSOT_AUDIT_PIP_ARGS           more arguments for `pip install`, split on
#                                 blanks (e.g. `--find-links wheels/`)
#   SSOT_AUDIT_VENV               the virtual environment (default:
#                                 $RUNNER_TEMP/ssot-audit-venv)
#
# With GITHUB_OUTPUT set it records `exit-code` (check's) and, for sarif,
# `sarif-file`; with GITHUB_PATH set, later steps find `ssot-audit` on PATH.
# Exit status: for github, check's own (0 clean, 1 violations, 2 error); for
# sarif, 0 once the SARIF file is written, whatever it holds, so the upload
# step runs (action.yml fails the job afterwards from `exit-code`); 2 on an
# error of check or of the installation.
set -euo pipefail

action_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
format="${SSOT_AUDIT_FORMAT:-sarif}"
version="${SSOT_AUDIT_VERSION:-}"
workdir="${SSOT_AUDIT_WORKING_DIRECTORY:-.}"
sarif="${SSOT_AUDIT_SARIF_FILE:-ssot-audit.sarif}"
venv="${SSOT_AUDIT_VENV:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ssot-audit-venv}"
read -r -a check_args <<<"${SSOT_AUDIT_ARGS:-}"
read -r -a pip_args <<<"${SSOT_AUDIT_PIP_ARGS:-}"

fail() {
    echo "ssot-audit action: $*" >&2
    exit 2
}

output() {
    if [ -n "${GITHUB_OUTPUT:-}" ]; then
        echo "$1=$2" >>"$GITHUB_OUTPUT"
    fi
}

case "$format" in
    sarif | github) ;;
    *) fail "format must be sarif or github, not '$format'" ;;
esac
if [ -z "$version" ]; then
    version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action_root/Cargo.toml" | head -n 1)"
    [ -n "$version" ] || fail "no version given and none found in $action_root/Cargo.toml"
fi

python="$(command -v python3 || command -v python || true)"
[ -n "$python" ] || fail "python3 is needed to install the ssot-audit wheel"
"$python" -m venv "$venv" || fail "cannot create a virtual environment in $venv (on Debian/Ubuntu: apt-get install python3-venv)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    ${pip_args[@]+"${pip_args[@]}"} "ssot-audit==$version" \
    || fail "cannot install ssot-audit==$version"
"$venv/bin/ssot-audit" --version
if [ -n "${GITHUB_PATH:-}" ]; then
    echo "$venv/bin" >>"$GITHUB_PATH"
fi

cd "$workdir" || fail "no working directory $workdir"
code=0
if [ "$format" = sarif ]; then
    "$venv/bin/ssot-audit" check --no-progress --format sarif \
        ${check_args[@]+"${check_args[@]}"} >"$sarif" || code=$?
    output exit-code "$code"
    [ "$code" -le 1 ] || fail "ssot-audit check failed (exit $code)"
    output sarif-file "$(pwd)/$sarif"
    echo "ssot-audit: wrote $sarif (check exited $code)"
    exit 0
fi
"$venv/bin/ssot-audit" check --no-progress --format github \
    ${check_args[@]+"${check_args[@]}"} || code=$?
output exit-code "$code"
exit "$code"
