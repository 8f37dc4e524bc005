#!/bin/bash
# Removes the cgroups of labs whose session leader is gone (deepest first: the kernel does
# not remove cgroups by itself). With a name, removes that lab's cgroups, killing what is
# still in them and waiting for it to die: a lab that forked thousands of processes takes
# seconds to die on a busy machine. With a name and the target's PID of the lab's PID 1, kills
# that PID 1 first (the kernel then ends the lab's whole PID namespace at once).
# usage: lab-sweep.sh [labbook-PID [PID1]]
set -u
# Whether a process runs (not a zombie) in the lab's cgroup: labbook-PID, its scope
# labbook-PID.scope, or their leaf "lab" (lab-init.sh). Once it has ended, its number may
# belong to another process.
in_lab() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  [[ ${stat##*) } != Z* ]] && grep -Eqs "/$2(\.scope)?(/lab)?\$" "/proc/$1/cgroup"
}
# The owner is the lab's session leader.
owner_alive() { in_lab "${1#labbook-}" "$1"; }
[ -n "${2:-}" ] && in_lab "$2" "$1" && kill -KILL "$2"
# A lab is labbook-PID in each hierarchy, or the systemd scope labbook-PID.scope (lab-init.sh).
for lab in $(ls -d /sys/fs/cgroup/*/labbook-* /sys/fs/cgroup/labbook-* 2>/dev/null | xargs -rn1 basename | sed 's/\.scope$//' | sort -u); do
  if [ -n "${1:-}" ]; then [ "$lab" = "$1" ] || continue; elif owner_alive "$lab"; then continue; fi
  # systemd kills what is left in the scope, stops the units bound to it, and removes its groups.
  [ -d "/sys/fs/cgroup/system.slice/$lab.scope" ] && systemctl stop "$lab.scope" 2>/dev/null
  for try in $(seq 300); do
    left=0
    for dir in /sys/fs/cgroup/*/"$lab" /sys/fs/cgroup/"$lab" /sys/fs/cgroup/*/"$lab.scope"; do
      [ -d "$dir" ] || continue
      # Only the lab's processes are in its cgroups: what its PID 1's death has not ended yet.
      find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
      [ -d "$dir" ] && left=1
    done
    [ $left = 0 ] && break
    sleep 0.1
  done
  [ $left = 0 ] || echo "labbook: could not remove the cgroups of $lab: processes still in them" >&2
done
