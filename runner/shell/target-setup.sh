#!/bin/bash
# Sets a remote target up for the runner (RemoteTarget.connect, runner/target-remote.ts), and
# holds it: checks labbook's baseline, makes a private directory for runner/shell/* there,
# writes the files into it, sweeps what runs that are gone left, prints "labbook:dir=DIR" and
# stays until its input ends (the runner closes it, or the connection drops), then removes
# the directory. Not copied to the target: it is sent as the script of `bash -c`.
# usage: bash -c "$(cat target-setup.sh)" target-setup MISSING [NAME TEXT]...
#   MISSING: a script that prints, one a line, the baseline tools this machine lacks
#            (missingScript of src/cells/packages.ts); if it prints any, they are reported on
#            stderr as "labbook: the target lacks: NAME..." and the setup ends with status 1.
#   NAME TEXT: a file of runner/shell and its text.
set -eu
missing=$(eval "$1")
shift
[ -z "$missing" ] || { echo "labbook: the target lacks:" $missing >&2; exit 1; }
umask 077
# Locked before it gets its final name, so a sweeper never sees it unlocked.
new=$(mktemp -d /dev/shm/labbook-new.XXXXXX)
exec 9<"$new"
flock 9
d=/dev/shm/labbook-target.${new##*.}
mv "$new" "$d"
trap 'rm -rf "$d"' EXIT
trap 'exit 1' HUP INT TERM PIPE
for old in /dev/shm/labbook-target.*; do
  [ "$old" = "$d" ] || flock -n "$old" rm -rf "$old" 2>/dev/null || true
done
while [ $# -ge 2 ]; do
  printf '%s' "$2" >"$d/$1"
  shift 2
done
bash "$d/lab-sweep.sh"
echo "labbook:dir=$d"
# Held until the runner closes this command's input, or the connection drops.
cat >/dev/null
