#!/bin/bash
# Removes the cgroups of labs whose session leader is gone (deepest first: the kernel does
# not remove cgroups by itself). With a name, removes that lab's cgroups, killing what is
# still in them and waiting for it to die: a lab that forked thousands of processes takes
# seconds to die on a busy machine. usage: lab-sweep.sh [labbook-PID]
set -u
# The owner is the lab's session leader: alive if it still runs (not a zombie) in that cgroup.
owner_alive() {
  local pid=${1#labbook-} stat
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ ${stat##*) } != Z* ]] && grep -qs "/$1\$" "/proc/$pid/cgroup"
}
for lab in $(ls -d /sys/fs/cgroup/*/labbook-* /sys/fs/cgroup/labbook-* 2>/dev/null | xargs -rn1 basename | sort -u); do
  if [ -n "${1:-}" ]; then [ "$lab" = "$1" ] || continue; elif owner_alive "$lab"; then continue; fi
  for try in $(seq 300); do
    left=0
    for root in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
      [ -d "$root$lab" ] || continue
      # Only the lab's processes are in its cgroups: what its PID 1's death has not ended yet.
      find "$root$lab" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null
      find "$root$lab" -depth -type d -exec rmdir {} + 2>/dev/null
      [ -d "$root$lab" ] && left=1
    done
    [ $left = 0 ] && break
    sleep 0.1
  done
  [ $left = 0 ] || echo "labbook: could not remove the cgroups of $lab: processes still in them" >&2
done
