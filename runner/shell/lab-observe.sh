#!/bin/bash
# The shell that takes a lab's snapshots (runner/lab.ts, __lb_state of lab-state.sh): in the
# lab's mount and network namespaces, so that it sees the lab's /proc, /run and cgroups, but
# not in its PID namespace or its cgroup, so that its processes take none of the lab's PIDs,
# count against none of its limits, and are never seen by a cell. It ends when its terminal
# closes, as every session does. usage: lab-observe.sh LAB_PID1
set -eu
echo "labbook:pid=$$"
exec nsenter --target "$1" --mount --net -- bash --noediting --noprofile --rcfile /run/labbook/shell/session.rc -i
