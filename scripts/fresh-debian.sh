#!/bin/bash
# Tries the README's two commands, as written, on a fresh Debian: a debootstrap minbase root
# file system with only git, curl, ca-certificates and Debian's own nodejs and npm, entered
# in private mount and PID namespaces with pivot_root (a plain chroot would leave the mount
# namespace's root at this machine's /, where setns and pivot_root inside the labs go). It clones this repository's HEAD there,
# runs the test line to its end, then the start line until it prints the runner link.
# Everything it makes is under DIR and its namespaces; the root file system is kept for the
# next try only with --keep.
#
# usage (as root): scripts/fresh-debian.sh [--suite bookworm] [--dir /var/tmp/labbook-fresh] [--keep]
#
# The machine's own trust settings (extra CA certificates, npm's cafile) are copied in: they
# belong to the network this machine is on, not to the project.
set -euo pipefail
suite=bookworm
dir=/var/tmp/labbook-fresh
keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --suite) suite=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--suite SUITE] [--dir DIR] [--keep]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "$0: needs root (debootstrap, chroot, namespaces)" >&2; exit 2; }
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
root=$dir/rootfs
log=$dir/try.log
mkdir -p "$dir"
: >"$log"
started=$(date +%s)
say() { printf '[%4d s] %s\n' $(($(date +%s) - started)) "$*" | tee -a "$log"; }

# The README's two lines: the first shell block's lines, comments dropped.
mapfile -t lines < <(awk '/^```sh$/ { inside = 1; next } inside && /^```/ { exit } inside' "$repo/README.md" | sed 's/ *#.*$//')
start_line=${lines[0]:?README.md has no first sh block}
test_line=${lines[1]:?README.md has only one line in its first sh block}

command -v debootstrap >/dev/null || apt-get install -y -q --no-install-recommends debootstrap >>"$log"
if [ ! -e "$root/.labbook-ready" ] || [ $keep = 0 ]; then
  rm -rf "$root"
  mirror=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  say "debootstrap --variant=minbase $suite with git, curl, ca-certificates from ${mirror:-deb.debian.org}"
  debootstrap --variant=minbase --include=git,curl,ca-certificates "$suite" "$root" \
    "${mirror:-http://deb.debian.org/debian}" >>"$log" 2>&1 || { tail -20 "$log"; exit 1; }
  # npm's many small packages are more than debootstrap's resolver handles: apt-get does it.
  say "apt-get install nodejs npm"
  chroot "$root" sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm' >>"$log" 2>&1 ||
    { tail -20 "$log"; exit 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb
  touch "$root/.labbook-ready"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [ -d /usr/local/share/ca-certificates ]; then
  cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >>"$log" 2>&1
fi
grep -h '^cafile=' /etc/npmrc >"$root/etc/npmrc" 2>/dev/null || true
say "in it: $(chroot "$root" sh -c '. /etc/os-release; echo "$PRETTY_NAME, node $(node --version), npm $(npm --version)"')"

# Runs inside the new mount and PID namespaces: the root file system's own /proc, with this
# machine's /sys and /dev, as a container runtime would give it.
inner=$(cat <<'EOF'
set -u
root=$1 repo=$2 start_line=$3 test_line=$4
# A machine's / is a mount point (unshare --propagation needs one): so is the chroot's.
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
cd "$root" && mkdir -p .oldroot && pivot_root . .oldroot && umount -l /.oldroot && rmdir /.oldroot
exec /bin/bash -c "
  set -u
  cd /root/labbook || exit 1
  echo \"== test line: $test_line\"
  bash -c '$test_line'; echo \"== test line: exit status \$?\"
  echo \"== start line: $start_line\"
  setsid bash -c '$start_line' > /tmp/start.log 2>&1 &
  pid=\$!
  for i in \$(seq 600); do grep -q '^Open http://127.0.0.1:4321/#runner=' /tmp/start.log && break; sleep 1; done
  grep -m1 '^Open http' /tmp/start.log | sed 's/token=.*/token=.../' || { echo 'no runner link:'; tail -20 /tmp/start.log; }
  curl -s -o /dev/null -w 'the site answers: HTTP %{http_code}\n' http://127.0.0.1:4321/ || echo 'the site does not answer'
  # SIGTERM, as Ctrl-C would: labbook serve closes its labs and the site.
  kill -TERM -- -\$pid; wait \$pid; echo \"== start line: ended with \$?\"
"
EOF
)
# A clean clone of HEAD, made from outside: no mount of this checkout inside.
rm -rf "$root/root/labbook" "$root/tmp/start.log"
git clone -q "$repo" "$root/root/labbook"
say "cloned $(git -C "$repo" rev-parse --short HEAD) into /root/labbook; entering it (private mount and PID namespaces, pivot_root)"
unshare --mount --pid --fork --kill-child --propagation private bash -c "$inner" inner "$root" "$repo" "$start_line" "$test_line" 2>&1 | tee -a "$log"
say "done; the whole log is $log"
[ $keep = 1 ] || rm -rf "$root"
