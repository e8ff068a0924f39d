# Sourced by scripts/demo and scripts/test: installs the Debian packages
# ladle builds and tests with, when any is missing.
LADLE_PACKAGES="build-essential cmake pkg-config liburing-dev libzstd-dev libxxhash-dev
libisal-dev libpcre2-dev libjansson-dev zlib1g-dev zstd gzip isal mawk coreutils util-linux
clang-format universal-ctags strace openmpi-bin libopenmpi-dev slurm-wlm munge libssl-dev"
# The Python package (python/) and its tests; the demo's pandas step.
LADLE_PACKAGES="$LADLE_PACKAGES python3 python3-pip python3-setuptools python3-zstandard python3-pytest python3-pandas python3-yaml"

ladle_install_deps() {
    local missing=()
    for p in $LADLE_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "ladle: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
