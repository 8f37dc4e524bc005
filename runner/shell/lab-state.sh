# __lb_state: one snapshot of a lab's kernel objects, read by src/cells/lab-state.ts. Sourced
# by every session (session.rc); the lab's observer (lab-observe.sh: in the lab's mount and
# network namespaces, outside its PID namespace and cgroup) runs it after each cell as
# `(__lb_state)`. It prints sections that start with "@": the PIDs of the lab's sessions (the
# harness's own), every process of the lab, every namespace of each, the mounts of each mount
# namespace, the lab's cgroups, and the addresses and routes of each network namespace. A
# process may end while this reads: what it cannot read is left out, not an error, and a
# namespace that none of its processes can show any more has an empty section.
#
# On an emulated VM each process costs tens of milliseconds, so it starts few: a subshell, one
# find for the namespaces of every process and the cgroups, one awk for the processes' status
# and mountinfo files, and one ip per network namespace.
__lb_state() {
  set -u
  echo "@state"
  for f in /run/labbook/*.pid; do
    [ -f "$f" ] && read -r pid <"$f" && n=${f##*/} && echo "@session ${n%.pid} $pid"
  done
  cgroup=v1
  [ -e /sys/fs/cgroup/cgroup.controllers ] && cgroup=v2
  # awk prints the sections on this script's output (fd 3 here) and, on its stderr, where to read
  # each network namespace: a process's, or for one only a file holds (ip netns add) that file.
  # (No process substitution: its /dev/fd/N is the lab's /proc/self, which this shell, outside
  # the lab's PID namespace, has not.)
  {
    nets=$(
      find /proc/[0-9]*/ns /sys/fs/cgroup \( -path '/proc/*' -type l ! -name '*_for_children' -printf 'N %h %l\n' \) \
        -o \( -path '/sys/fs/cgroup/*' -type d -printf 'C %P\n' \) 2>/dev/null |
        awk -v cgroup="$cgroup" -v out=/dev/stdout -v nets=/dev/stderr '
          $1 == "N" { split($2, p, "/"); pid = p[3]; ns[++n] = $2 " " $3; pids[pid] = 1
                      # Read through its lowest-numbered process first (the lab'\''s PID 1 for its own),
                      # the same while it lives: another may see other paths (a chroot).
                      if ($3 ~ /^(mnt|net):/) {
                        members[$3] = members[$3] " " pid
                        if (!($3 in low) || pid + 0 < low[$3] + 0) low[$3] = pid
                      }
                      next }
          $1 == "C" { groups[++g] = substr($0, 3) }
          END {
            print "@processes" > out
            for (pid in pids) {
              file = "/proc/" pid "/status"; name = ""; ppid = ""; nspid = ""
              while ((getline line < file) > 0) {
                split(line, f, "\t")
                if (f[1] == "Name:") name = f[2]
                else if (f[1] == "PPid:") ppid = f[2]
                else if (f[1] == "NSpid:") { nspid = f[2]; for (i = 3; i in f; i++) nspid = nspid " " f[i] }
              }
              close(file)
              if (name != "") print pid "\t" ppid "\t" nspid "\t" name > out
            }
            print "@namespaces" > out
            for (i = 1; i <= n; i++) print ns[i] > out
            # Through the first of its processes whose file can still be read: one that ended
            # since find listed it is skipped, and a namespace none can be read through is left out.
            for (link in members) {
              if (link !~ /^mnt:/) continue
              k = split(low[link] members[link], candidates, " ")
              for (c = 1; c <= k; c++) {
                file = "/proc/" candidates[c] "/mountinfo"
                if ((getline line < file) <= 0) continue
                print "@mounts " link > out
                do {
                  print line > out
                  # The lab'\''s own: a network namespace that a file holds is an nsfs mount.
                  if (candidates[c] == 1) {
                    m = split(line, f, " ")
                    for (i = 7; i <= m && f[i] != "-"; i++);
                    if (f[i + 1] == "nsfs" && f[4] ~ /^net:/ && !(f[4] in members)) held[f[4]] = f[5]
                  }
                } while ((getline line < file) > 0)
                close(file)
                break
              }
            }
            print "@cgroups " cgroup > out
            for (i = 1; i <= g; i++) print groups[i] > out
            for (link in members) {
              if (link !~ /^net:/) continue
              k = split(low[link] members[link], candidates, " "); where = ""
              for (c = 1; c <= k; c++) where = where " /proc/" candidates[c] "/ns/net"
              print link where > nets
            }
            for (link in held) print link " " held[link] > nets
          }' 2>&1 >&3
    )
  } 3>&1
  # Through the first way in that still opens; a section left empty is a namespace not read.
  while read -r link ways; do
    [[ $link == net:* ]] || continue
    echo "@net $link"
    for way in $ways; do
      # The lab's own network namespace is this shell's: no nsenter needed there.
      if [[ $way == /proc/1/ns/net ]]; then
        ip -j -d -batch - <<<$'addr show\nroute show' 2>/dev/null && break
      else
        nsenter --net="$way" ip -j -d -batch - <<<$'addr show\nroute show' 2>/dev/null && break
      fi
    done
  done <<<"$nets"
  # The end: a snapshot cut short lacks it.
  echo "@end"
}
