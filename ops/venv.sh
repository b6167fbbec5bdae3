# Shared by ops/test and ops/demo (sourced, not run): the Debian packages and the
# project's virtualenv that both need.  Both scripts must work as the first command on a
# fresh Debian 12 machine, and must be quick and quiet on the hundredth run, so every
# step checks first and acts only when something is missing.
#
# Callers `cd` to the repository root before sourcing this file and run with `set -eu`.

VENV=.venv
# Recorded inside the venv after a successful install; a pyproject.toml newer than it
# means the dependencies may have changed, so the install runs again.
VENV_STAMP="$VENV/.leaseledger-installed"
APT_UPDATED=no

# Run a command with its output kept aside; show that output only if the command fails.
quietly() {
    local log status
    log=$(mktemp)
    status=0
    "$@" >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        cat "$log" >&2
        echo "ops: failed ($status): $*" >&2
    fi
    rm -f "$log"
    return "$status"
}

can_install_debian_packages() {
    [ "$(id -u)" -eq 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1
}

debian_package_missing() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" != "install ok installed" ]
}

# A policy-rc.d that answers "denied" (101) keeps package scripts from starting the
# services they install: installing isc-dhcp-server must not leave a dhcpd running on
# the test machine.  An existing policy-rc.d is put back afterwards.
POLICY_RC=/usr/sbin/policy-rc.d
deny_service_starts() {
    if [ -e "$POLICY_RC" ]; then
        mv "$POLICY_RC" "$POLICY_RC.leaseledger-saved"
    fi
    printf '#!/bin/sh\n# written by leaseledger ops/venv.sh while installing packages\nexit 101\n' \
        >"$POLICY_RC"
    chmod 755 "$POLICY_RC"
}
allow_service_starts() {
    rm -f "$POLICY_RC"
    if [ -e "$POLICY_RC.leaseledger-saved" ]; then
        mv "$POLICY_RC.leaseledger-saved" "$POLICY_RC"
    fi
}

# Install the named Debian packages that are not installed yet (root on Debian only;
# elsewhere the tests that need them say what is missing).
install_debian_packages() {
    local missing=() package status
    can_install_debian_packages || return 0
    for package in "$@"; do
        if debian_package_missing "$package"; then
            missing+=("$package")
        fi
    done
    [ "${#missing[@]}" -gt 0 ] || return 0
    echo "ops: installing Debian packages: ${missing[*]}" >&2
    local -x DEBIAN_FRONTEND=noninteractive
    if [ "$APT_UPDATED" = no ]; then
        quietly apt-get update -q
        APT_UPDATED=yes
    fi
    deny_service_starts
    trap allow_service_starts EXIT  # also when interrupted mid-install
    status=0
    quietly apt-get install -y -q --no-install-recommends "${missing[@]}" || status=$?
    allow_service_starts
    trap - EXIT
    return "$status"
}

# Debian's own /usr/bin/python3.11 first, whatever else is on PATH: it is built with
# profile-guided optimisation and decides a DHCP request about 20% faster than a plain
# source build such as pyenv's (73 against 90 us per DISCOVER, measured in-process).
pick_python() {
    if [ -x /usr/bin/python3.11 ]; then
        echo /usr/bin/python3.11
    elif command -v python3.11 >/dev/null 2>&1; then
        echo python3.11
    else
        echo python3
    fi
}

# Create .venv if it is missing and (re)install the project into it when needed.
ensure_venv() {
    local python
    if [ ! -x "$VENV/bin/python" ]; then
        # A minimal Debian image has no python3, and Debian's python3 comes without
        # ensurepip (package python3-venv), which `python3 -m venv` needs.
        if ! command -v python3.11 >/dev/null 2>&1 && ! command -v python3 >/dev/null 2>&1; then
            install_debian_packages python3 python3-venv
        fi
        python=$(pick_python)
        if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
            install_debian_packages python3-venv
        fi
        echo "ops: creating $VENV with $python" >&2
        rm -rf "$VENV"  # what an interrupted earlier attempt left behind
        quietly "$python" -m venv "$VENV"
    fi
    if [ ! -e "$VENV_STAMP" ] || [ pyproject.toml -nt "$VENV_STAMP" ]; then
        echo "ops: installing leaseledger and its test dependencies into $VENV" >&2
        quietly "$VENV/bin/python" -m pip install -q -e '.[test,compile]' pycryptodome
        touch "$VENV_STAMP"
    fi
}

# Compile the hot modules with mypyc when their build is missing or older than their
# sources (ops/compile; a few minutes the first time, nothing when current).  On Debian
# as root the C compiler and Python's headers are installed first; elsewhere, without
# them, the pure-Python modules run.
ensure_compiled() {
    if [ "${LEASELEDGER_PURE_PYTHON:-}" = 1 ]; then
        "$VENV/bin/python" ops/compile --pure
        return 0
    fi
    install_debian_packages gcc libc6-dev python3.11-dev
    "$VENV/bin/python" ops/compile
}
