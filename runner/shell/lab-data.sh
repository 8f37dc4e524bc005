# Snapshots that `data=KIND` cells print (see src/cells/structure/): sourced by every session.

# lab_net_json NS... : every interface of each network namespace, with its details.
# NS is "lab" (this shell's namespace), a name from `ip netns`, or NAME:PID for a process's.
lab_net_json() {
  local sep= ns links
  printf '{"namespaces":['
  for ns in "$@"; do
    case $ns in
    lab) links=$(ip -j -d addr show) ;;
    *:*) links=$(nsenter -t "${ns#*:}" -n ip -j -d addr show) ;;
    *) links=$(ip -n "$ns" -j -d addr show) ;;
    esac
    printf '%s{"name":"%s","links":%s}' "$sep" "${ns%%:*}" "${links:-[]}"
    sep=,
  done
  printf ']}\n'
}

# lab_proc_json: every process of this shell's PID namespace and below, with its parent,
# its PIDs at each level (NSpid) and its PID namespace.
lab_proc_json() {
  local sep= p nspid ppid
  printf '{"processes":['
  for p in /proc/[0-9]*; do
    nspid=$(awk '/^NSpid:/ { $1 = ""; print }' "$p/status" 2>/dev/null) || continue
    ppid=$(awk '/^PPid:/ { print $2 }' "$p/status" 2>/dev/null)
    [ -n "$nspid" ] || continue
    printf '%s{"pid":%s,"ppid":%s,"comm":"%s","nspid":[%s],"pidns":%s}' "$sep" "${p#/proc/}" "${ppid:-0}" \
      "$(cat "$p/comm")" "$(echo $nspid | tr ' ' ,)" "$(stat -Lc %i "$p/ns/pid")"
    sep=,
  done 2>/dev/null
  printf ']}\n'
}

# lab_overlay_json MERGED LAYER... : the merged view and each layer (top first: upper, then
# the lower layers), as the paths and types (find's %y) they hold.
lab_overlay_json() {
  local sep= d
  printf '{"merged":%s,"layers":[' "$(__lb_tree "$1")"
  shift
  for d in "$@"; do
    printf '%s{"name":"%s","entries":%s}' "$sep" "$(basename "$d")" "$(__lb_tree "$d")"
    sep=,
  done
  printf ']}\n'
}
__lb_tree() {
  find "$1" -mindepth 1 -printf '%P\t%y\n' | LC_ALL=C sort |
    awk -F '\t' 'BEGIN { printf "[" } { printf "%s{\"path\":\"%s\",\"type\":\"%s\"}", (NR > 1 ? "," : ""), $1, $2 } END { printf "]" }'
}

# lab_sample SERIES SECONDS INTERVAL COMMAND... : runs COMMAND every INTERVAL seconds for
# SECONDS and prints "SERIES TIME VALUE" lines, VALUE being what COMMAND prints.
lab_sample() {
  local series=$1 seconds=$2 interval=$3 t=0
  shift 3
  while awk -v t="$t" -v s="$seconds" 'BEGIN { exit !(t <= s) }'; do
    printf '%s %s %s\n' "$series" "$t" "$("$@")"
    sleep "$interval"
    t=$(awk -v t="$t" -v i="$interval" 'BEGIN { print t + i }')
  done
}
