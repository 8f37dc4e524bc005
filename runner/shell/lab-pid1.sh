#!/bin/bash
# PID 1 of a lab. It gives the lab its own /proc, /sys, cgroup mounts (rooted at the lab's
# cgroup), /run, /tmp and /var/tmp, then runs the lab's "host" session shell and reaps
# orphans until that shell ends. Nothing mounted here is visible outside the lab.
set -eu
here=$(dirname "$(readlink -f "$0")")
# /proc is still the target's here: its view of this process is the PID the runner kills
# at the end, from outside the lab.
read -r pid1 _ </proc/self/stat
echo "labbook:pid1=$pid1"
# The runner's scripts may live under /tmp or /run (a clone in /tmp, a remote target's
# directory), which the lab's own tmpfs mounts hide: keep them, to put in /run/labbook/shell.
declare -A scripts
for f in "$here"/*; do scripts[${f##*/}]=$(<"$f"); done
# The host's cgroup mounts, to remount below; nsdelegate is only for the root namespace.
cgroups=$(awk '$3 ~ /^cgroup2?$/ { print $2, $3, $4 }' /proc/self/mounts | sed 's/,nsdelegate//')
mount -t proc proc /proc
mount -t sysfs sysfs /sys
if ! grep -q '^/sys/fs/cgroup cgroup2 ' <<<"$cgroups"; then
  mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
fi
while read -r dir type opts; do
  [ -n "$dir" ] || continue
  mkdir -p "$dir"
  mount -t "$type" -o "$opts" "$type" "$dir"
done <<<"$cgroups"
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
# A lab that is a systemd scope (lab-init.sh) keeps the target's D-Bus socket in its own
# /run: cells reach the target's service manager, and their units are the target's.
# systemd's own socket (/run/systemd/private) is not kept: its tools refuse it from another
# PID namespace, where they cannot see who answers; through D-Bus they can. The directory
# /run/systemd/system tells them that systemd runs.
unit=${1:-}
[ -z "$unit" ] || { mkdir /var/tmp/dbus && mount --bind /run/dbus /var/tmp/dbus; }
mount -t tmpfs -o mode=755 tmpfs /run
if [ -n "$unit" ]; then
  mkdir -p /run/dbus /run/systemd/system && mount --move /var/tmp/dbus /run/dbus && rmdir /var/tmp/dbus
fi
mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir -p /run/labbook/shell /run/netns
# The lab's own unit, for cells that bind their units to it (BindsTo=): they stop with it.
[ -z "$unit" ] || echo "$unit" >/run/labbook/unit
for f in "${!scripts[@]}"; do printf '%s\n' "${scripts[$f]}" >"/run/labbook/shell/$f"; done
hostname lab
ip link set lo up
cd /tmp
# Not exec: PID 1 stays a plain bash that waits for the session and reaps orphans.
bash --noediting --noprofile --rcfile /run/labbook/shell/session.rc -i
