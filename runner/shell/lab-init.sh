#!/bin/bash
# The lab's session leader, run on the target as root by the runner's PTY. It creates the
# lab's cgroup "labbook-<its pid>" in every hierarchy, joins it, and becomes the lab: new
# mount, uts, ipc, net, pid and cgroup namespaces whose PID 1 is lab-pid1.sh.
# If this process dies (the runner died, the PTY closed), --kill-child takes the lab's
# PID 1 with it, and the kernel then kills every process of the lab.
#
# On cgroup v2 the lab's group is the root of the lab's cgroup namespace, with the target's
# controllers enabled for its children, and the lab's processes live in its leaf "lab": a
# group that holds processes cannot give controllers to its children (the no-internal-process
# rule), and cells make groups of their own beside "lab". On a target whose PID 1 is systemd,
# the group is a transient scope labbook-<pid>.scope with Delegate=yes: systemd enables the
# controllers down to it and never writes in it, and stops it, with every unit bound to it,
# when its processes are gone. usage: lab-init.sh [scoped | leaf GROUP]
set -eu
here=$(dirname "$(readlink -f "$0")")
name=labbook-$$
v2=/sys/fs/cgroup
[ "$(stat -fc %T $v2)" = cgroup2fs ] || v2=/sys/fs/cgroup/unified
case ${1:-} in
'')
  # The runner reads this before the first marker: the lab's name, and the process whose
  # terminal a timeout signals (on a remote target the PTY's own pid is not this one).
  echo "labbook:pid=$$"
  if [ "$v2" = /sys/fs/cgroup ] && [ -d /run/systemd/system ] && command -v systemd-run >/dev/null; then
    # The lab's memory limit (below) is systemd's to write on a unit of its own.
    exec systemd-run --quiet --scope --collect --unit="$name.scope" -p Delegate=yes -p MemoryMax=50% \
      --description="labbook lab $$" -- bash "$0" scoped
  fi
  for root in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -f "$root/cgroup.procs" ] || continue
    mkdir -p "$root$name"
    # cpuset refuses tasks until the group has cpus and mems.
    for f in cpuset.cpus cpuset.mems; do
      [ -f "$root$f" ] && cat "$root$f" >"$root$name/$f"
    done
    echo $$ >"$root$name/cgroup.procs"
  done
  ;;
esac
if [ "${1:-}" != leaf ]; then
  # A cell that eats memory (tail /dev/zero with no limit of its own) meets the lab's limit,
  # half the target's memory, and not the target's OOM killer, which may pick its sshd.
  kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
  group=$v2$(sed -n 's/^0:://p' /proc/self/cgroup)
  limits=/sys/fs/cgroup/memory/$name/memory.limit_in_bytes
  [ "${1:-}" = scoped ] || limits="$limits $group/memory.max"
  for f in $limits; do
    [ -f "$f" ] && echo $((kib * 512)) >"$f" || true
  done
  # The cgroup namespace is made here, in the lab's group, which becomes its root.
  exec unshare --cgroup -- bash "$0" leaf "$group"
fi
group=$2
mkdir "$group/lab"
echo $$ >"$group/lab/cgroup.procs"
controllers=$(sed 's/[^ ][^ ]*/+&/g' "$group/cgroup.controllers")
[ -z "$controllers" ] || echo "$controllers" >"$group/cgroup.subtree_control"
unit=
[ "${group##*.}" != scope ] || unit=${group##*/}
exec unshare --mount --uts --ipc --net --pid --fork --kill-child --propagation private \
  -- bash "$here/lab-pid1.sh" $unit
