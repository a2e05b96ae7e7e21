# Shared helpers for the lab's shell scripts; sourced, never run.
# Everything here is about telling the user exactly what went wrong.

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_BUILD=${LAB_BUILD:-$LAB_ROOT/build}
# Downloads and the compiler cache live outside the clone so that a second
# fresh clone on the same machine (as CI makes) starts warm.
LAB_CACHE=${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imx7-lab}
export CCACHE_DIR=${CCACHE_DIR:-$LAB_CACHE/ccache}

log() { printf '[lab] %s\n' "$*" >&2; }
# The first 30 compiler errors in build log $1, to stderr. One awk, not
# grep | head: under pipefail head's early exit killed grep (141), the
# ERR trap reported that, and meson's warnings ("... hard error") had
# taken the 30 lines before the compiler's
first_errors() { awk '/error:|Error [0-9]|FAILED:/ && n++ < 30' "$1" >&2; }
die() {
	printf '[lab] ERROR: %s\n' "$*" >&2
	# already said: the script that called this subshell need not say more
	[ "$BASHPID" = "$$" ] || : >"${TMPDIR:-/tmp}/lab-error.$$"
	exit 1
}

# No silent exits: a command that stops a script under `set -e` is named,
# with its exit code and, where the lab knows one, what to do about it.
# A script may set LAB_HINT before a step to say what fixes that step.
# errtrace carries the trap into functions and subshells. A subshell that
# reported its own failure leaves a mark (its $$ is the script's), so that
# the script does not name the whole subshell a second time.
LAB_HINT=
lab_hint_for() {
	case $1 in
	*apt-get*|*dpkg*) echo "check the machine's apt sources and network (apt-get update), then run it again" ;;
	*'git am'*) echo 'the patch does not apply: rebase qemu-patches/ on this source' ;;
	*make*|*ninja*|*meson*) echo 'the build output above says what failed' ;;
	esac
}
lab_on_error() {
	local rc=$1 cmd=$2 mark=${TMPDIR:-/tmp}/lab-error.$$ hint
	# bash runs the trap in a command substitution too, where -e is off
	# and a failure stops nothing: the caller decides, and says it there
	case $- in *e*) ;; *) return ;; esac
	if [ "$BASHPID" = "$$" ] && [ -e "$mark" ]; then
		rm -f "$mark"
		return
	fi
	printf '[lab] ERROR: %s: %s (exit %d)\n' "${0##*/}" "$cmd" "$rc" >&2
	hint=${LAB_HINT:-$(lab_hint_for "$cmd")}
	[ -z "$hint" ] || printf '[lab]   what to do: %s\n' "$hint" >&2
	[ "$BASHPID" = "$$" ] || : >"$mark"
}
set -o errtrace
trap 'lab_on_error $? "$BASH_COMMAND"' ERR

# phase NAME: with LAB_PHASES set (scripts/check-fresh), mark where a
# phase of a cold setup begins, so that each one can be timed.
phase() { [ -z "${LAB_PHASES:-}" ] || log "phase: $1"; }

# retry TRIES WHAT CMD...: run CMD up to TRIES times (2 s, 4 s, ... apart);
# on final failure name WHAT and show the command's last output.
retry() {
	local tries=$1 what=$2 n=1 out
	shift 2
	out=$(mktemp)
	while :; do
		if "$@" >"$out" 2>&1; then
			rm -f "$out"
			return 0
		fi
		if [ "$n" -ge "$tries" ]; then
			printf '[lab] ERROR: %s failed %d times; last output:\n' "$what" "$n" >&2
			tail -n 20 "$out" | sed 's/^/    /' >&2
			rm -f "$out"
			return 1
		fi
		log "$what failed (try $n/$tries), retrying in $((2 * n)) s"
		sleep $((2 * n))
		n=$((n + 1))
	done
}

# as_root CMD...: run CMD as root, directly or through sudo.
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif ! command -v sudo >/dev/null; then
		die "'$*' needs root and sudo is not installed: run the command as root," \
			"or as root install sudo (apt-get install sudo) and give $(id -un) passwordless sudo"
	elif sudo -n true 2>/dev/null; then
		sudo "$@"
	else
		die "'$*' needs root: $(id -un) has no passwordless sudo; run the command as root," \
			"or add '$(id -un) ALL=(ALL) NOPASSWD: ALL' with visudo"
	fi
}

# stamp_ok FILE CONTENT: true when FILE already records CONTENT
stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

# apt_depends_on PKG: the first package a (meta)package depends on
apt_depends_on() {
	apt-cache show "$1" 2>/dev/null | sed -n 's/^Depends: \([^ ,]*\).*/\1/p' | head -n1
}

# apt_version_of PKG: the candidate version apt would pick
apt_version_of() {
	apt-cache show "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n1
}

# fetch_deb PKG[:ARCH] VERSION: print the path of the .deb in the download
# cache, downloading it first if needed (with retries).
fetch_deb() {
	local pkg=$1 ver=$2 name=${1%%:*} dir=$LAB_CACHE/debs f
	# a package apt does not know: no retry can help, say so at once
	[ -n "$ver" ] || die "package $pkg is not in apt's package lists" \
		"(apt-cache policy $pkg; for :armhf, dpkg --add-architecture armhf and apt-get update)"
	mkdir -p "$dir"
	f=$(ls "$dir/${name}_"*"${ver#*:}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$f" ]; then
		log "downloading $pkg $ver"
		(cd "$dir" && retry 3 "download of $pkg=$ver" apt-get download "$pkg=$ver") ||
			die "could not download $pkg=$ver (is it in 'apt-cache policy $pkg'?)"
		f=$(ls "$dir/${name}_"*"${ver#*:}_"*.deb | head -n1)
	fi
	printf '%s\n' "$f"
}

# record_timing NAME SECONDS: keep a measured duration for `make bench`
record_timing() {
	mkdir -p "$LAB_CACHE/timings"
	echo "$2 $(date -u +%Y-%m-%dT%H:%MZ)" >"$LAB_CACHE/timings/$1"
}
