#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 the libinotifywd authors
#
# What the README's quick start runs: install the Debian packages the build,
# the tests and the checks need, build, and (with "demo") restore one watch
# at wd 0x34d71d6.  One list of packages, kept here, for people and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
	build-essential autoconf automake libtool pkg-config
	check libseccomp-dev			# the test suite
	mandoc groff-base jq			# man page lint, CLI tests
	valgrind				# the suppression file's test
	abigail-tools				# the ABI check (abidiff)
	gnuplot-nox				# make bench's plot
)

export DEBIAN_FRONTEND=noninteractive
# A mirror in mid-sync makes one index fail; the others still serve.
apt-get update -qq || echo "quickstart: apt-get update had errors; going on"
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

autoreconf -fi >/dev/null
./configure --enable-werror --quiet
make -j2 >/dev/null

if [ "${1:-demo}" = demo ]; then
	./tools/inotifywd probe
	./tools/inotifywd add --wd 0x34d71d6 /tmp
	./tools/inotifywd add --fallback --wd 100000 /tmp
fi
