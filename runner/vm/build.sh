#!/bin/bash
# Builds a labbook VM image: a Debian disk image (of SUITE: bookworm, trixie) made only from Debian's packages,
# with its kernel and a small initramfs beside it, an SSH key for root and the guest's host
# key. Everything is made under DIR/build and moved into place only when whole, so a
# failed build leaves no half image. Progress lines start with "step ".
# usage: build.sh DIR SUITE PACKAGES [UNITS]
#   PACKAGES: labbook's baseline and the cells' tools, comma-separated, from the package map
#   src/cells/packages.ts; UNITS: the daemons those packages enable, space-separated, which the
#   guest masks (its labs start their own: Docker Engine)
set -euo pipefail
dir=$1
suite=$2
tools=$3
masked=${4:-}
build=$dir/build
log=$dir/build.log
rm -rf "$build"
mkdir -p "$build"
: >"$log"
step() { echo "step $*"; }
fail() { echo "labbook vm: $1 (see $log)" >&2; tail -n 20 "$log" >&2; exit 1; }

# The mirror of the machine's own apt sources, so a build uses what apt already reaches.
mirror=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /debian\/?$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

# A booting, reachable system (kmod loads modules on demand), then the tutorial's tools.
packages=systemd-sysv,udev,kmod,linux-image-amd64,openssh-server,dbus,libpam-systemd,$tools
step "1/5 debootstrap $suite (minbase and $(tr , '\n' <<<"$packages" | wc -l) packages) from $mirror"
root=$build/rootfs
debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >>"$log" 2>&1 ||
  fail "debootstrap failed"

step "2/5 configure: network, fstab, root's SSH key, a small initramfs"
echo labbook-vm >"$root/etc/hostname"
# The probes read it: a cell on timings is skipped in labbook's VMs whether QEMU has KVM or not,
# so that their recordings are the same on every host (runner/probe.ts, native-cpu).
echo 'a labbook VM (runner/vm/build.sh)' >"$root/etc/labbook-vm"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$root/etc/fstab"
cat >"$root/etc/systemd/network/20-wired.network" <<'EOF'
[Match]
Name=en* eth*

[Network]
DHCP=yes
EOF
ssh-keygen -q -t ed25519 -N '' -C labbook-vm -f "$build/id_ed25519"
install -d -m 700 "$root/root/.ssh"
install -m 600 "$build/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
cp "$root/etc/ssh/ssh_host_ed25519_key.pub" "$build/host_key.pub"
# 256 MiB of swap, for the cells on memory.swap.max and memory.high: made at boot, since
# mkfs.ext4 -d would copy a swap file made here with holes, which swapon refuses. The boot
# whose state is saved makes it, so a resumed guest has it on.
cat >"$root/etc/systemd/system/labbook-swap.service" <<'EOF'
[Unit]
Description=256 MiB of swap for the labbook's cgroup cells
ConditionPathExists=!/swapfile

[Service]
Type=oneshot
ExecStart=/bin/sh -ec 'fallocate -l 256M /swapfile; chmod 600 /swapfile; mkswap -q /swapfile; swapon /swapfile'

[Install]
WantedBy=multi-user.target
EOF
# Only what a virtio disk with ext4 needs: 6.5 MB instead of 36 MB.
sed -i 's/^MODULES=.*/MODULES=list/' "$root/etc/initramfs-tools/initramfs.conf"
printf '%s\n' virtio_pci virtio_blk ext4 >>"$root/etc/initramfs-tools/modules"
# In a mount namespace of its own: /proc and /dev for the chroot vanish with it.
unshare --mount --propagation private -- bash -euc '
  mount -t proc proc "$1/proc"; mount --bind /dev "$1/dev"; mount -t sysfs sysfs "$1/sys"
  chroot "$1" systemctl enable systemd-networkd labbook-swap
  # No timer wakes in the middle of a chapter (a resumed guest sets its clock forward).
  chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer \
    fstrim.timer logrotate.timer man-db.timer systemd-tmpfiles-clean.timer $2
  chroot "$1" update-initramfs -u -k all' _ "$root" "$masked" >>"$log" 2>&1 || fail "configuring the guest failed"

step "3/5 kernel and initramfs"
cp "$(readlink -f "$root/vmlinuz")" "$build/vmlinuz"
cp "$(readlink -f "$root/initrd.img")" "$build/initrd.img"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

step "4/5 disk image (mkfs.ext4 -d, no loop mounts)"
mkfs.ext4 -q -L labbook -d "$root" "$build/disk.img" 2G >>"$log" 2>&1 || fail "mkfs.ext4 failed"
rm -rf "$root"

step "5/5 done"
for f in vmlinuz initrd.img id_ed25519 id_ed25519.pub host_key.pub disk.img; do mv "$build/$f" "$dir/$f"; done
rmdir "$build"
