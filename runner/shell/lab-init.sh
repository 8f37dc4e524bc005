#!/bin/bash
# The lab's session leader, run on the target as root by the runner's PTY. It creates the
# lab's cgroup "labbook-<its pid>" in every hierarchy, joins it, and becomes the lab: new
# mount, uts, ipc, net, pid and cgroup namespaces whose PID 1 is lab-pid1.sh.
# If this process dies (the runner died, the PTY closed), --kill-child takes the lab's
# PID 1 with it, and the kernel then kills every process of the lab.
set -eu
here=$(dirname "$(readlink -f "$0")")
name=labbook-$$
# The runner reads this before the first marker: the lab's name, and the process whose
# terminal a timeout signals (on a remote target the PTY's own pid is not this one).
echo "labbook:pid=$$"
for root in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
  [ -f "$root/cgroup.procs" ] || continue
  mkdir -p "$root$name"
  # cpuset refuses tasks until the group has cpus and mems.
  for f in cpuset.cpus cpuset.mems; do
    [ -f "$root$f" ] && cat "$root$f" > "$root$name/$f"
  done
  echo $$ > "$root$name/cgroup.procs"
done
# A cell that eats memory (tail /dev/zero with no limit of its own) meets the lab's limit,
# half the target's memory, and not the target's OOM killer, which may pick its sshd.
kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
half=$((kib * 512))
for f in /sys/fs/cgroup/memory/$name/memory.limit_in_bytes /sys/fs/cgroup/$name/memory.max; do
  [ -f "$f" ] && echo "$half" >"$f" || true
done
exec unshare --mount --uts --ipc --net --pid --cgroup --fork --kill-child --propagation private \
  -- bash "$here/lab-pid1.sh"
