# Shared by scripts/install-*: install Debian packages as root or with `sudo -n`, quietly.
# Sourced, not run. Sets nothing but DEBIAN_FRONTEND. Usage: apt_install NAME PACKAGE...
# (NAME prefixes the messages); returns 0 when apt-get installed them, 1 with the reason printed.
apt_install() {
    name=$1
    shift
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "$name: no apt-get on this machine; install $* by hand" >&2
        return 1
    fi
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
            echo "$name: not root and no sudo: cannot apt-get install $*" >&2
            return 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null 2>&1 || echo "$name: apt-get update failed; trying the cached lists" >&2
    log="/tmp/perfkg-$name.log"
    if ! $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>"$log"; then
        echo "$name: apt-get install $* failed:" >&2
        tail -5 "$log" >&2
        return 1
    fi
}
