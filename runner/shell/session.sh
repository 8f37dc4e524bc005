#!/bin/bash
# Starts a named session ("container") inside a lab, in new namespaces of its own.
# Stage "enter" runs on the target: it says its PID (the process whose terminal a timeout
# signals), joins the lab's cgroup, then enters the namespaces of the lab whose PID 1 it is given.
# Stage "join" runs in the lab's namespaces and cgroup: it unshares.
# Stage "start" runs in the new namespaces: hostname, /proc, then the session shell.
# usage: session.sh enter LAB_PID1 NAME HOSTNAME UNSHARE_FLAGS...
#        session.sh join NAME HOSTNAME UNSHARE_FLAGS...
#        session.sh start NAME HOSTNAME MOUNT_PROC
set -eu
here=$(dirname "$(readlink -f "$0")")
if [ "$1" = enter ]; then
  echo "labbook:pid=$$"
  pid1=$2
  shift 2
  # The lab's cgroup, joined from outside: cgroup v2 refuses a move from a cgroup that the
  # lab's cgroup namespace cannot see (the SSH login's scope, on a remote target).
  # On cgroup v2 that is the group of the lab's PID 1 (the leaf "lab" of lab-init.sh).
  lab=$(grep -om1 'labbook-[0-9]*' "/proc/$pid1/cgroup")
  for procs in /sys/fs/cgroup/*/"$lab"/cgroup.procs; do
    [ -f "$procs" ] && [ "$(stat -fc %T "${procs%/*/*}")" = cgroupfs ] && echo $$ >"$procs"
  done
  v2=/sys/fs/cgroup
  [ "$(stat -fc %T $v2)" = cgroup2fs ] || v2=/sys/fs/cgroup/unified
  echo $$ >"$v2$(sed -n 's/^0:://p' "/proc/$pid1/cgroup")/cgroup.procs"
  # Inside the lab, its own copy of the scripts (lab-pid1.sh put it there).
  exec nsenter --target "$pid1" --mount --uts --ipc --net --pid --cgroup -- bash /run/labbook/shell/session.sh join "$@"
fi
stage=$1 name=$2 host=$3
shift 3
if [ "$stage" = join ]; then
  mount_proc=0
  case " $* " in *" --pid "*) case " $* " in *" --mount "*) mount_proc=1 ;; esac ;; esac
  exec unshare "$@" --fork --kill-child -- bash "$here/session.sh" start "$name" "$host" "$mount_proc"
fi
# /proc is still the lab's here: its view of this shell is the PID the lab's other sessions see.
read -r lab_pid _ </proc/self/stat
echo "$lab_pid" >"/run/labbook/$name.pid"
[ -n "$host" ] && hostname "$host"
[ "$1" = 1 ] && mount -t proc proc /proc
cd /tmp
exec bash --noediting --noprofile --rcfile "$here/session.rc" -i
