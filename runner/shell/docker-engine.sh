#!/bin/bash
# Starts a private Docker Engine in the lab it runs in, and gives it the original article's
# image, made offline. Everything the engine writes is in the lab's own tmpfs mounts (/run,
# /var/tmp, and one over /etc/docker), its networks and iptables rules in the lab's network
# namespace, its cgroups under the lab's group: they vanish with the lab.
#   dockerd --data-root /var/tmp/docker        images, containers, overlay2 layers
#           (exec root /run/docker, socket /run/docker.sock: Docker's defaults, in the lab's /run)
#           --exec-opt native.cgroupdriver=cgroupfs
#                                              the kernel's files, not systemd: on cgroup v2 Docker
#                                              would pick systemd where /run/systemd/system exists,
#                                              and this lab's systemd is the target's
# The image: a root file system of busybox (static) and the target's bash with the libraries
# it links, imported with `docker import` under the original's tag centos:7.5.1804.
# usage: docker-engine.sh [DOCKERD_OPTION...]   (prints the engine's version, storage and cgroup
#        drivers; the options go to dockerd: --bridge=none --iptables=false --ip-forward=false,
#        for no network)
set -eu
[ -e /run/docker.sock ] && { echo "docker-engine: an engine already runs in this lab" >&2; exit 1; }
mkdir -p /run/labbook/docker
# dockerd writes its key in /etc/docker (key.json, Docker 20.10) and looks there for certs.d:
# the lab gets an empty /etc/docker of its own. Without the directory there is nothing to mount
# it on, and dockerd would make it in the target's /etc.
[ -d /etc/docker ] || {
  echo "docker-engine: /etc/docker is missing, and dockerd would create it on the target: mkdir /etc/docker (Debian's docker.io makes it)" >&2
  exit 1
}
mount -t tmpfs -o mode=755 tmpfs /etc/docker
# Its own (empty) configuration file: the target's daemon.json may hold settings that clash with these flags.
echo '{}' >/run/labbook/docker/daemon.json
# With iptables on, dockerd runs modprobe bridge br_netfilter (and others): br_netfilter, once
# loaded, sends the bridged traffic of every network namespace through iptables, the target's
# too. The stub fails those calls; what the kernel loads on demand (request_module, which does
# not use PATH), it still loads.
mkdir -p /run/labbook/docker/bin
printf '#!/bin/sh\nexit 1\n' >/run/labbook/docker/bin/modprobe
chmod +x /run/labbook/docker/bin/modprobe
PATH=/run/labbook/docker/bin:$PATH setsid dockerd --config-file /run/labbook/docker/daemon.json \
  --data-root /var/tmp/docker --exec-opt native.cgroupdriver=cgroupfs "$@" \
  >/run/labbook/docker/dockerd.log 2>&1 </dev/null &
for _ in $(seq 600); do
  docker version >/dev/null 2>&1 && break
  kill -0 $! 2>/dev/null || { echo "docker-engine: dockerd ended; its log:" >&2; tail -n 20 /run/labbook/docker/dockerd.log >&2; exit 1; }
  sleep 0.1
done
docker version >/dev/null 2>&1 || { echo "docker-engine: dockerd did not answer in 60 s" >&2; exit 1; }
# The image's root file system, from the target's packages.
root=/var/tmp/centos-root
mkdir -p $root/bin $root/tmp $root/proc $root/sys $root/dev $root/etc
cp "$(command -v busybox)" $root/bin/busybox
cp "$(command -v bash)" $root/bin/bash
# Links relative to the image's /bin (busybox --install -s would point them at this lab's path).
for applet in $($root/bin/busybox --list); do ln -s busybox "$root/bin/$applet" 2>/dev/null || true; done
for lib in $(ldd "$(command -v bash)" | grep -o '/[^ ]*'); do cp --parents -L "$lib" $root; done
echo 'root:x:0:0:root:/root:/bin/bash' >$root/etc/passwd
tar -C $root -c . | docker import --change 'CMD ["/bin/bash"]' --change 'ENV PATH=/bin' \
  --message 'busybox and bash of the target, under the original article'"'"'s tag' - centos:7.5.1804 >/dev/null
rm -rf $root
# The version without the distribution's revision (20.10.24+dfsg1: 20.10), which a package update changes.
docker info --format 'Docker Engine {{.ServerVersion}}: storage {{.Driver}}, cgroup driver {{.CgroupDriver}}, cgroup v{{.CgroupVersion}}' |
  sed -E 's/^(Docker Engine [0-9]+\.[0-9]+)[^:]*/\1/'
