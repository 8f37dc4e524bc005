#!/bin/bash
# One snapshot of a lab's kernel objects, read by src/cells/lab-state.ts: the runner runs it
# around each cell, in the lab's mount, net, pid and cgroup namespaces, as one call. It prints
# sections that start with "@": its own PID (the reader leaves out it and its children), the
# PIDs of the lab's sessions (the harness's own), every process, every namespace of every
# process, the mounts of each mount namespace, the addresses and routes of each network
# namespace, and the lab's cgroups. A process may end while this reads: what it cannot read
# is left out, not an error.
set -u
echo "@self $$"
for f in /run/labbook/*.pid; do
  [ -f "$f" ] || continue
  n=${f##*/}
  echo "@session ${n%.pid} $(<"$f")"
done
# One cat for every status file: "Name:" starts each process's fields.
echo "@processes"
cat /proc/[0-9]*/status 2>/dev/null | awk -F'\t' '
  function flush() { if (pid != "") print pid "\t" ppid "\t" nspid "\t" name; pid = "" }
  $1 == "Name:" { flush(); name = $2 }
  $1 == "Pid:" { pid = $2 }
  $1 == "PPid:" { ppid = $2 }
  $1 == "NSpid:" { nspid = $2; for (i = 3; i <= NF; i++) nspid = nspid " " $i }
  END { flush() }'
namespaces=$(find /proc/[0-9]*/ns -mindepth 1 -maxdepth 1 ! -name '*_for_children' -printf '%h %l\n' 2>/dev/null)
echo "@namespaces"
echo "$namespaces"
# A process in each mount and network namespace, to read them through; a network namespace
# that only a file holds (ip netns add) is entered through that file.
declare -A mnt net
while read -r dir link; do
  pid=${dir#/proc/}
  pid=${pid%/ns}
  case $link in
  mnt:*) mnt[$link]=${mnt[$link]:-$pid} ;;
  net:*) net[$link]=${net[$link]:-$pid} ;;
  esac
done <<<"$namespaces"
for link in "${!mnt[@]}"; do
  echo "@mounts $link"
  cat "/proc/${mnt[$link]}/mountinfo" 2>/dev/null
done
while read -r link path; do
  [ -n "$link" ] && net[$link]=${net[$link]:-$path}
done < <(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "nsfs" && $4 ~ /^net:/) print $4, $5 }' /proc/1/mountinfo)
for link in "${!net[@]}"; do
  at=${net[$link]}
  [ "${at#/}" != "$at" ] || at=/proc/$at/ns/net
  echo "@net $link"
  printf 'addr show\nroute show\n' | nsenter --net="$at" ip -j -d -batch - 2>/dev/null
done
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then echo "@cgroups v2"; else echo "@cgroups v1"; fi
find /sys/fs/cgroup -mindepth 1 -type d -printf '%P\n' 2>/dev/null
# A group that went while find read is left out, as a process that ended is.
exit 0
