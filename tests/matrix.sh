#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 the libinotifywd authors
#
# The hardening matrix, the last step of "make check-all": the same
# sources built and checked ten ways, each in a build directory of its own
# under one mktemp -d, never in the source tree.
#
#   asan-gcc, asan-clang  ASan+UBSan (--enable-sanitizers --enable-werror),
#                         the whole "make check"; any sanitizer report,
#                         leaks included, fails the check
#   valgrind              memcheck on every Check binary, CK_FORK=no, with
#                         the suppression file the library installs, only
#   werror-gcc, werror-clang
#                         -O2 builds with -Werror: library, tool, bench
#                         and every test program
#   cppcheck, clang-tidy  static analysis (tests/cppcheck.supp, .clang-tidy)
#   i386                  gcc -m32, "make check" on this 64-bit kernel
#                         (the ioctl goes through compat_ioctl)
#   musl                  musl-gcc: library and tools/inotifywd, then a probe
#   fuzz                  libFuzzer on inotify_wd_parse() (tests/fuzz-parse.c,
#                         seeds in tests/fuzz-corpus/), then on the dump
#                         reader of "inotifywd restore" (tests/fuzz-dump.c,
#                         seeds in tests/fuzz-dump-corpus/), then on the
#                         overlay handle and layer-option parsers of
#                         inotify_wd_find_paths() (tests/fuzz-ovl.c, seeds
#                         in tests/fuzz-ovl-corpus/)
#   deb                   contrib/debian/ built from "make dist" by
#                         dpkg-buildpackage (source and binary, the suite
#                         run under Debian's build flags), then lintian
#                         -EvIL +pedantic: any tag but the packaging-only
#                         ones of deb_allowed_tags fails
#   uml                   "make check" on a real kernel without
#                         INOTIFY_IOC_SETNEXTWD: Debian's user-mode Linux
#                         (6.1, no CONFIG_CHECKPOINT_RESTORE), booted as a
#                         process over this machine's root, the built
#                         tree copied onto a tmpfs inside it; per program
#                         the cases run, passed and left out
#
# Usage: tests/matrix.sh [CHECK...]      (default: all, in the order above)
# Run it from anywhere: it finds the sources through its own path (or
# $MATRIX_SRCDIR).  Environment:
#   MATRIX_JOBS        make -j (default: the number of CPUs)
#   MATRIX_FUZZ_TIME   seconds of fuzzing per target (default 60)
#   MATRIX_VALGRIND_CASES  Check test cases (CK_RUN_CASE: ioctl, k4.4, ...)
#                      to run under valgrind, space separated (default: all)
#   MATRIX_KEEP=1      keep the work directory (kept anyway on failure)
#   MATRIX_NO_INSTALL=1  never call apt-get; missing tools fail their check
#   MATRIX_UML_TIMEOUT seconds the uml guest may run in all (default 2400)
#   MATRIX_UML_TIMEOUT_MULTIPLIER  CK_TIMEOUT_MULTIPLIER inside the guest
#                      (default 1: the suite's timeouts allow for it)
# Missing Debian packages are installed with apt-get when running as root
# (as CI does); i386 packages need "dpkg --add-architecture i386", done here.
#
# The source tree it builds: "make distdir" of the build tree it is run
# from (check-all runs it from the top build directory, right after
# distcheck proved the tarball); else the files git knows, autoreconf'ed;
# else a copy of an unconfigured source directory.
set -euo pipefail

all_checks=(asan-gcc asan-clang valgrind werror-gcc werror-clang cppcheck
	    clang-tidy i386 musl fuzz deb uml)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "${MATRIX_SRCDIR:-$here/..}" && pwd)
jobs=${MATRIX_JOBS:-$(nproc 2>/dev/null || echo 2)}
fuzz_time=${MATRIX_FUZZ_TIME:-60}
start_dir=$PWD
native_arch=$(dpkg --print-architecture 2>/dev/null || echo none)

# The make that ran us (check-all) must not lend us its jobserver or flags.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS || true
export LC_ALL=C

checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=("${all_checks[@]}")
for c in "${checks[@]}"; do
	case " ${all_checks[*]} " in
	*" $c "*) ;;
	*) echo "matrix: unknown check '$c' (known: ${all_checks[*]})" >&2
	   exit 2 ;;
	esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/inotifywd-matrix.XXXXXX")
src=$work/src
logs=$work/logs
mkdir -p "$logs"
failed_any=0
cleanup() {
	if [ "${MATRIX_KEEP:-0}" = 1 ] || [ "$failed_any" != 0 ]; then
		echo "matrix: work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

header() {
	printf '\n==== %s ====\n' "$*"
}

# ---- Debian packages ------------------------------------------------------

packages_for() {
	local base="gcc libc6-dev make pkg-config check libseccomp-dev
		    libsubunit-dev"
	case $1 in
	asan-gcc) echo "$base g++" ;;
	werror-gcc) echo "$base" ;;
	asan-clang|werror-clang) echo "$base clang libclang-rt-14-dev" ;;
	valgrind) echo "$base valgrind" ;;
	cppcheck) echo "cppcheck" ;;
	clang-tidy) echo "clang clang-tidy" ;;
	i386) echo "$base g++ gcc-multilib g++-multilib check:i386
		   libseccomp-dev:i386 libsubunit-dev:i386" ;;
	musl) echo "gcc make musl-tools" ;;
	fuzz) echo "gcc make clang libclang-rt-14-dev" ;;
	# Build-Depends of contrib/debian/control (dpkg-buildpackage checks
	# them), and the tools of the check.
	deb) echo "$base jq build-essential dpkg-dev debhelper lintian xz-utils" ;;
	uml) echo "$base user-mode-linux jq mandoc groff-base" ;;
	esac
}

# Installed, for the native architecture unless the name says another.
# (With i386 added, a bare name matches both instances of a Multi-Arch:
# same package.)  Arch: all packages have no native instance: bare name.
installed() {
	local s
	case $1 in
	*:*) s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) ;;
	*) s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1:$native_arch" \
		2>/dev/null) ||
	   s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) ;;
	esac
	[ "${s:0:2}" = ii ]
}

install_packages() {
	local want=() missing=() p c
	want+=(autoconf automake libtool git)	# for the source tree
	for c in "${checks[@]}"; do
		# shellcheck disable=SC2207
		want+=($(packages_for "$c"))
	done
	command -v dpkg-query >/dev/null || return 0
	for p in $(printf '%s\n' "${want[@]}" | sort -u); do
		installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	header "packages: installing ${missing[*]}"
	if [ "${MATRIX_NO_INSTALL:-0}" = 1 ] || [ "$(id -u)" != 0 ]; then
		echo "not root (or MATRIX_NO_INSTALL=1): not installing;" \
		     "the checks that need them will fail"
		return 0
	fi
	export DEBIAN_FRONTEND=noninteractive
	case " ${missing[*]}" in
	*:i386*)
		dpkg --print-foreign-architectures | grep -qx i386 ||
			dpkg --add-architecture i386 ;;
	esac
	# A mirror mid-sync fails one index now and then: go on, and let the
	# install say whether what is needed could be had.
	apt-get update -qq || echo "apt-get update failed; trying anyway"
	local native=() foreign=()
	for p in "${missing[@]}"; do
		case $p in *:i386) foreign+=("$p") ;; *) native+=("$p") ;; esac
	done
	if [ ${#native[@]} -gt 0 ]; then
		apt-get install -y -qq --no-install-recommends "${native[@]}" \
			>"$logs/apt-native.log" 2>&1 ||
			{ tail -20 "$logs/apt-native.log";
			  echo "apt-get install failed"; }
	fi
	if [ ${#foreign[@]} -gt 0 ]; then
		apt-get install -y -qq --no-install-recommends "${foreign[@]}" \
			>"$logs/apt-i386.log" 2>&1 ||
			{ tail -20 "$logs/apt-i386.log";
			  echo "apt-get install (i386) failed"; }
	fi
}

# Inside a check: fail early, and clearly, on a missing package.
require() {
	local p miss=()
	for p in "$@"; do
		installed "$p" || miss+=("$p")
	done
	if [ ${#miss[@]} -gt 0 ]; then
		echo "missing Debian packages: ${miss[*]}"
		return 1
	fi
}

# ---- the source tree ------------------------------------------------------

find_build_tree() {
	local d
	for d in "$start_dir" "$srcdir"; do
		if [ -f "$d/Makefile" ] &&
		   grep -q '^PACKAGE = libinotifywd$' "$d/Makefile"; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

prepare_source() {
	local b
	if b=$(find_build_tree); then
		echo "source: make distdir of the build tree $b"
		make -s -C "$b" distdir distdir="$src" >/dev/null
	elif [ -e "$srcdir/.git" ] && command -v git >/dev/null; then
		echo "source: the files git knows in $srcdir, autoreconf'ed"
		mkdir -p "$src"
		(cd "$srcdir" &&
		 git ls-files -z --cached --others --exclude-standard |
		 while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		 done | tar --null -T - -cf -) | tar -C "$src" -xf -
		(cd "$src" && autoreconf -fi >/dev/null 2>&1)
	else
		[ ! -e "$srcdir/config.status" ] || {
			echo "$srcdir is configured in-tree but has no Makefile;" \
			     "run make distclean there" >&2
			return 1
		}
		echo "source: a copy of $srcdir"
		cp -a "$srcdir" "$src"
		[ -x "$src/configure" ] ||
			(cd "$src" && autoreconf -fi >/dev/null 2>&1)
	fi
	[ -x "$src/configure" ]
}

# ---- helpers for the checks -----------------------------------------------

# configure NAME ARGS...: a fresh build directory $work/NAME, configured.
configure_in() {
	local name=$1
	shift
	bdir=$work/$name
	mkdir -p "$bdir"
	cd "$bdir"
	echo "+ configure $*"
	"$src/configure" --quiet "$@"
}

# shim_compilers "CC FLAGS" "CXX FLAGS": cc and c++ on the PATH of this
# check become these.
shim_compilers() {
	local d=$work/$current-bin
	mkdir -p "$d"
	printf '#!/bin/sh\nexec %s "$@"\n' "$1" >"$d/cc"
	printf '#!/bin/sh\nexec %s "$@"\n' "$2" >"$d/c++"
	chmod +x "$d/cc" "$d/c++"
	export PATH="$d:$PATH"
	echo "+ cc is now: $1; c++: $2"
}

# Whether configure enabled the Check suite (found Check and libseccomp).
have_tests() {
	grep -q "^HAVE_TESTS_TRUE=''$" config.log
}

# The Check totals of a finished "make check": "N cases".
check_cases() {
	local n
	n=$(cat tests/*.log 2>/dev/null |
	    sed -n 's/^[0-9]*%: Checks: \([0-9]*\).*/\1/p' |
	    awk '{ s += $1 } END { print s + 0 }')
	echo "$n"
}

# Sanitizer, Check and automake failure lines out of a build's logs.
show_test_failures() {
	show_test_failures_in tests
}

show_test_failures_in() {
	local f
	for f in "$1"/*.log; do
		[ -f "$f" ] || continue
		grep -H -E ':[FE]:|^(FAIL|ERROR|XPASS):|Sanitizer|runtime error:|^SUMMARY:' \
			"$f" | head -40 || true
	done
}

sanitizer_reports() {
	cat tests/*.log 2>/dev/null |
		grep -c -E 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|WARNING: .*Sanitizer' ||
		true
}

# ---- the checks -----------------------------------------------------------
# Each runs in a subshell with set -e, its output in $logs/NAME.log; the
# one-line figure for the summary goes to $work/NAME.figure.

figure() {
	echo "$*" >"$work/$current.figure"
	echo "figure: $*"
}

check_asan() {
	local cc=$1 cxx n reports san="-fsanitize=address,undefined"
	case $cc in gcc) cxx=g++ ;; clang) cxx=clang++ ;; esac
	# A program linking an instrumented library must be instrumented too
	# (clang puts the runtime in executables only): the programs that
	# tests/abi.test builds with plain cc and c++ get the same flags.
	shim_compilers "$(command -v "$cc") $san" "$(command -v "$cxx") $san"
	configure_in "$current" --enable-sanitizers --enable-werror CC="$cc"
	have_tests || {
		echo "configure found no Check/libseccomp: the suite would not run"
		return 1
	}
	make -j"$jobs" >make.log 2>&1 || { tail -40 make.log; return 1; }
	# halt/abort_on_error: the first report aborts the process, which
	# Check reports as an error of that test ("Received signal 6"), the
	# runner then exits non-zero.  (The build has -fno-sanitize-recover.)
	# detect_leaks: LeakSanitizer runs at the exit() of every forked test
	# and of the runner, and aborts on a leak too.  Its stop-the-world is
	# a clone()d tracer that ptrace-attaches the process's own threads:
	# the seccomp variants deny only ioctl(INOTIFY_IOC_SETNEXTWD), and the
	# user namespace of test-limits leaves the test able to trace itself,
	# so it works in every test.  (Checked: a leak planted in
	# inotify_wd_add_watch() failed tests in all ten variants, seccomp-*
	# and the userns cases included.)
	export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:print_summary=1
	export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1
	if ! make -j"$jobs" check >check.log 2>&1; then
		grep -E '^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS|# )' check.log || true
		show_test_failures
		tail -20 check.log
		return 1
	fi
	grep -E '^(PASS|FAIL|SKIP|ERROR|# )' check.log
	reports=$(sanitizer_reports)
	if [ "$reports" != 0 ]; then
		echo "make check passed, yet the logs hold $reports sanitizer report(s):"
		show_test_failures
		return 1
	fi
	n=$(check_cases)
	figure "$n Check cases, 0 sanitizer reports"
}

check_valgrind() {
	local t name total=0 n bad=0 cases k log supp rc
	require valgrind
	configure_in valgrind --prefix="$work/valgrind-prefix"
	make -j"$jobs" >make.log 2>&1 || { tail -40 make.log; return 1; }
	# Build the check programs without running them.
	make -j"$jobs" check TESTS= >make-check.log 2>&1 ||
		{ tail -40 make-check.log; return 1; }
	# The suppressions are the file the library installs, found as a
	# user finds it: it drops the report of the INOTIFY_IOC_SETNEXTWD
	# argument, taken by value, when ioctl() is called by the library
	# (the Check programs link the seam's iwd_sys_setnext() in place of
	# lib/sys.c's).  Besides it, only tests/set-cursor.supp, for the
	# ioctls the tests issue themselves (tests/adapt.c).
	make install >make-install.log 2>&1 ||
		{ tail -20 make-install.log; return 1; }
	supp=$(pkg-config --variable=valgrind_suppressions \
		"$work/valgrind-prefix/lib/pkgconfig/inotify-wd.pc")
	[ -f "$supp" ] || { echo "no suppression file installed at '$supp'"; return 1; }
	echo "+ suppressions: $supp"
	cases=${MATRIX_VALGRIND_CASES:-}
	for t in tests/test-*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		case $t in *.*) continue ;; esac
		name=${t#tests/}
		for k in ${cases:-ALL}; do
			log=vg-$name${cases:+-$k}.log
			echo "+ valgrind $name${cases:+ (CK_RUN_CASE=$k)}"
			# CK_FORK=no: the suite runs in one process (no seccomp
			# variants; the probe is reset per test).
			# 77: every case of the program was left out (they
			# need fork); its log says which and why.
			rc=0
			env CK_FORK=no ${cases:+CK_RUN_CASE=$k} \
			   ./libtool --mode=execute valgrind -q \
				--error-exitcode=1 --leak-check=full \
				--errors-for-leak-kinds=definite \
				--show-leak-kinds=definite \
				--suppressions="$supp" \
				--suppressions="$src/tests/set-cursor.supp" \
				--child-silent-after-fork=yes \
				"$t" >"$log" 2>&1 || rc=$?
			if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
				bad=$((bad + 1))
				grep -v ':P:' "$log" | head -80
			fi
			grep ': left out ' "$log" || true
			n=$(sed -n 's/^[0-9]*%: Checks: \([0-9]*\).*/\1/p' \
				"$log" | awk '{ s += $1 } END { print s + 0 }')
			grep -E '^[0-9]+%: Checks' "$log" || true
			total=$((total + n))
		done
	done
	[ "$total" -gt 0 ] || { echo "no Check case ran"; return 1; }
	[ "$bad" = 0 ] || return 1
	figure "$total Check cases under memcheck, 0 errors, 0 definite leaks" \
	       "(${cases:+cases: $cases; }no seccomp-* variants under CK_FORK=no)"
}

check_werror() {
	local cc=$1 warnings objs
	configure_in "$current" --enable-werror CC="$cc" CFLAGS="-O2 -g"
	# Everything, in three steps: the library and the tool (all), the
	# test programs (check TESTS=), then the programs built on demand.
	make -j"$jobs" V=1 all >make.log 2>&1 || { grep -E 'error|warning' make.log | head -40; tail -20 make.log; return 1; }
	if have_tests; then
		make -j"$jobs" V=1 check TESTS= >>make.log 2>&1 ||
			{ grep -E 'error|warning' make.log | head -40; return 1; }
	fi
	# EXTRA_PROGRAMS, built only on demand: cli-holder by the dependency
	# of its test, the bench by "make bench", which would also run it.
	make -j"$jobs" V=1 tests/cli-holder bench/inotifywd-bench >>make.log 2>&1 ||
		{ tail -20 make.log; return 1; }
	warnings=$(grep -c -E '^[^ ]+:[0-9]+:([0-9]+:)? warning:' make.log || true)
	objs=$(find . -name '*.o' | wc -l)
	[ "$warnings" = 0 ] || { grep 'warning:' make.log; return 1; }
	figure "$objs objects, 0 warnings ($($cc --version | head -1))"
}

check_cppcheck() {
	local out n files
	require cppcheck
	configure_in cppcheck
	cd "$src"
	files=$(find lib tools tests bench -name '*.c' | wc -l)
	out=$work/cppcheck.out
	echo "+ cppcheck $(cppcheck --version) on lib tools tests bench ($files files)"
	# --library=posix: it knows open()/close() and the like, so fd leaks
	# count.  config.h from a configure run in $work/cppcheck.
	if ! cppcheck -q -j"$jobs" --enable=warning,style,performance,portability \
		--library=posix --platform=unix64 --std=c11 \
		--error-exitcode=1 --inline-suppr \
		--suppressions-list=tests/cppcheck.supp \
		-I include -I lib -I "$work/cppcheck" \
		lib tools tests bench >"$out" 2>&1; then
		cat "$out"
		n=$(grep -c -E '^[^ ].*: (error|warning|style|performance|portability):' "$out" || true)
		echo "cppcheck: $n finding(s)"
		return 1
	fi
	cat "$out"
	n=$(grep -c -E ': (error|warning|style|performance|portability):' "$out" || true)
	[ "$n" = 0 ] || return 1
	figure "$files files, 0 findings"
}

check_clang_tidy() {
	local flags out n files
	require clang-tidy
	configure_in clang-tidy CC=clang
	# The flags configure chose for clang, as the build uses them.
	flags="-DHAVE_CONFIG_H -I$bdir -I$src/include -I$src/lib"
	flags="$flags $(sed -n 's/^WARN_CFLAGS = //p' Makefile) -fvisibility=hidden"
	cd "$src"
	files=$(find lib -name '*.c' | sort)
	out=$work/clang-tidy.out
	echo "+ $(clang-tidy --version | grep -i version | head -1) on lib/*.c," \
	     "config $src/.clang-tidy"
	echo "+ flags: $flags"
	# One process per file, $jobs at a time.
	# shellcheck disable=SC2086,SC2046
	if ! printf '%s\n' $files |
	     xargs -P "$jobs" -I{} clang-tidy --quiet {} -- $flags \
		>"$out" 2>&1; then
		grep -E 'warning:|error:' "$out" | sort -u
		n=$(grep -E '(warning|error):.*\[[a-z].*\]$' "$out" | sort -u | grep -c . || true)
		echo "clang-tidy: $n finding(s)"
		return 1
	fi
	n=$(grep -c -E '(warning|error):' "$out" || true)
	[ "$n" = 0 ] || { cat "$out"; return 1; }
	figure "$(echo "$files" | wc -l) files, 0 findings"
}

check_i386() {
	local n pc=/usr/lib/i386-linux-gnu/pkgconfig:/usr/share/pkgconfig
	require gcc-multilib g++-multilib check:i386 libseccomp-dev:i386 \
		libsubunit-dev:i386
	# A native i386 toolchain, as far as the tests can tell: they compile
	# programs of their own with plain cc and c++ (tests/abi.test).
	shim_compilers "/usr/bin/gcc -m32" "/usr/bin/g++ -m32"
	export PKG_CONFIG_LIBDIR="$pc"
	configure_in i386 --host=i686-linux-gnu --enable-werror \
		CC="gcc -m32" PKG_CONFIG=pkg-config
	have_tests || {
		echo "configure found no i386 Check/libseccomp"
		return 1
	}
	make -j"$jobs" >make.log 2>&1 || { tail -40 make.log; return 1; }
	readelf -h .libs/libinotifywd.so | grep -E 'Class|Machine'
	readelf -h .libs/libinotifywd.so | grep -q 'Class: *ELF32' ||
		{ echo "not a 32-bit library"; return 1; }
	if ! make -j"$jobs" check >check.log 2>&1; then
		grep -E '^(PASS|FAIL|SKIP|ERROR|# )' check.log || true
		show_test_failures
		return 1
	fi
	grep -E '^(PASS|FAIL|SKIP|ERROR|# )' check.log
	echo "+ tools/inotifywd probe (32-bit, on $(uname -m) $(uname -r))"
	tools/inotifywd probe || { echo "probe failed"; return 1; }
	n=$(check_cases)
	figure "$n Check cases passed, 32-bit on $(uname -m) $(uname -r)"
}

check_musl() {
	local what=library
	require musl-tools
	# No pkg-config directory: glibc's Check must not be picked up.
	mkdir -p "$work/musl-no-pc"
	configure_in musl CC=musl-gcc PKG_CONFIG_LIBDIR="$work/musl-no-pc"
	make -j"$jobs" >make.log 2>&1 || {
		tail -40 make.log
		echo "full build failed; trying the library alone"
		make -j"$jobs" libinotifywd.la >>make.log 2>&1 || return 1
		return 1
	}
	readelf -d .libs/libinotifywd.so | grep NEEDED
	readelf -d .libs/libinotifywd.so | grep -q 'NEEDED.*\[libc\.so\]' ||
		{ echo "not linked against musl's libc.so"; return 1; }
	if [ -x tools/inotifywd ]; then
		readelf -l tools/.libs/inotifywd 2>/dev/null | grep -o 'ld-musl[^]]*' ||
		readelf -l tools/inotifywd | grep -o 'ld-musl[^]]*'
		echo "+ tools/inotifywd probe (musl)"
		tools/inotifywd probe || { echo "probe failed"; return 1; }
		what="library and tools/inotifywd"
	else
		echo "tools/inotifywd was not built"
		return 1
	fi
	figure "$what built with musl-gcc, probe ran"
}

# run_fuzzer NAME SEEDS MAX_LEN: run $fz/NAME for $fuzz_time seconds on
# a copy of SEEDS, with the dictionary $fz/NAME.dict; what it did added
# to $fuzzed, or its report and 1.
run_fuzzer() {
	local name=$1 seeds=$2 max_len=$3 corpus=$fz/$1-corpus log=$fz/$1.log
	local runs secs
	mkdir -p "$corpus"
	cp "$seeds"/* "$corpus/"
	echo "+ $name -max_total_time=$fuzz_time ($(ls "$corpus" | wc -l) seeds)"
	if ! "$fz/$name" -max_total_time="$fuzz_time" -error_exitcode=1 \
		-timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
		-dict="$fz/$name.dict" -artifact_prefix="$fz/$name-" \
		-print_final_stats=1 "$corpus" >"$log" 2>&1; then
		grep -v -E '^#[0-9]+' "$log" | tail -60
		ls "$fz/$name"-crash-* "$fz/$name"-leak-* \
			"$fz/$name"-timeout-* 2>/dev/null || true
		return 1
	fi
	grep -E '^(Done|stat::)|INFO: seed corpus' "$log" || true
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log")
	secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log")
	[ -n "$runs" ] || { echo "no 'Done N runs' line"; tail -20 "$log"; return 1; }
	fuzzed+="${fuzzed:+; }$name: $runs executions in ${secs}s, corpus $(ls "$corpus" | wc -l) inputs, 0 crashes"
}

check_fuzz() {
	local fz=$work/fuzz-run sources flags fuzzed=
	require clang libclang-rt-14-dev
	# config.h only: configure, no make.
	configure_in fuzz CC=clang
	mkdir -p "$fz"
	sources=$(find "$src/lib" -name '*.c' | sort)
	flags="-g -O1 -fsanitize=fuzzer,address,undefined
	       -fno-sanitize-recover=all -fno-omit-frame-pointer
	       $(sed -n 's/^WARN_CFLAGS = //p' Makefile) -Werror
	       -DHAVE_CONFIG_H -I$bdir -I$src/include"
	echo "+ clang -fsanitize=fuzzer,address,undefined tests/fuzz-parse.c lib/*.c"
	# shellcheck disable=SC2086
	clang $flags -I"$src/lib" -o "$fz/fuzz-parse" \
		"$src/tests/fuzz-parse.c" $sources -lpthread
	echo "+ clang -fsanitize=fuzzer,address,undefined tests/fuzz-ovl.c lib/*.c"
	# shellcheck disable=SC2086
	clang $flags -I"$src/lib" -o "$fz/fuzz-ovl" \
		"$src/tests/fuzz-ovl.c" $sources -lpthread
	# The dump reader of "inotifywd restore" and the tool's sources it
	# needs (not the library: it uses the header's types only).
	echo "+ clang -fsanitize=fuzzer,address,undefined tests/fuzz-dump.c tools/dump*.c ..."
	# shellcheck disable=SC2086
	clang $flags -I"$src/tools" -o "$fz/fuzz-dump" \
		"$src/tests/fuzz-dump.c" "$src/tools/dumpfmt.c" \
		"$src/tools/dumpline.c" "$src/tools/pathesc.c" \
		"$src/tools/instance.c" "$src/tools/report.c"
	# The tokens of each format, so that it need not guess them.
	cat >"$fz/fuzz-parse.dict" <<'EOF'
"inotify "
"wd:"
" ino:"
" sdev:"
" mask:"
" ignored_mask:"
" fhandle-bytes:"
" fhandle-type:"
" f_handle:"
"pos:\x09"
"flags:\x09"
"mnt_id:\x09"
"\x0a"
"ffffffff"
"7fffffff"
"80"
EOF
	cat >"$fz/fuzz-dump.dict" <<'EOF'
"# inotifywd dump v2\x0a"
"# inotifywd dump v1\x0a"
"instance"
" fd="
" flags=0"
" pending="
"unknown:"
"wd="
" ino="
" dev="
" mask=0x"
" ignored_mask=0x"
" fhandle_type="
" fhandle="
" path="
"\\000"
"\\377"
"\\400"
"\\777"
"\x0a"
"2147483647"
"18446744073709551615"
EOF
	cat >"$fz/fuzz-ovl.dict" <<'EOF'
"\x00\x01\x00\x00\x00\xfb"
"\xfb"
"lowerdir="
"lowerdir+="
"datadir+="
"upperdir="
"workdir="
","
":"
"\\"
"\\134"
"\\054"
"\\072"
EOF
	export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1
	export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
	run_fuzzer fuzz-parse "$src/tests/fuzz-corpus" 4096 || return 1
	# -max_len beyond DUMP_LINE_MAX (16772): room for a line too long.
	run_fuzzer fuzz-dump "$src/tests/fuzz-dump-corpus" 20000 || return 1
	# a selector, a type and a handle of 128; options up to a page
	run_fuzzer fuzz-ovl "$src/tests/fuzz-ovl-corpus" 4096 || return 1
	figure "$fuzzed"
}

# The lintian tags that the packaging alone causes, which an upstream
# cannot fix, each with the reason: "tag: reason".  Any other tag (in
# particular every tag about the sources, the build, the binaries and the
# manual) fails the deb check.
deb_allowed_tags=(
	"initial-upload-closes-no-bugs: a first upload closes the ITP bug a distribution maintainer files; there is none for this template"
	"debian-watch-file-is-missing: debian/watch names where release tarballs are published, which no place is yet"
	"upstream-metadata-file-is-missing: debian/upstream/metadata names the public repository and bug tracker, which do not exist yet"
)

check_deb() {
	local version dversion tarball dir changes tag line n=0 bad=0 allowed
	local warnings
	require build-essential dpkg-dev debhelper lintian
	configure_in deb
	make dist >make-dist.log 2>&1 || { tail -20 make-dist.log; return 1; }
	version=$(sed -n 's/^PACKAGE_VERSION = //p' Makefile)
	tarball=libinotifywd-$version.tar.xz
	mkdir pkg
	tar -C pkg -xJf "$tarball"
	dir=pkg/libinotifywd-$version
	dversion=$(dpkg-parsechangelog -l "$dir/contrib/debian/changelog" -S Version)
	[ "${dversion%-*}" = "$version" ] || {
		echo "contrib/debian/changelog is at $dversion, the tarball at" \
		     "$version: add an entry (dch -v $version-1)"
		return 1
	}
	cp "$tarball" "pkg/libinotifywd_$version.orig.tar.xz"
	# The tarball's own copy: proves that make dist ships it.
	cp -a "$dir/contrib/debian" "$dir/debian"
	echo "+ dpkg-buildpackage -us -uc in $dir (source and binary)"
	(cd "$dir" && DEB_BUILD_OPTIONS="parallel=$jobs" \
		dpkg-buildpackage -us -uc) >build.log 2>&1 ||
		{ tail -60 build.log; return 1; }
	grep -E '^(PASS|FAIL|SKIP|ERROR|# [A-Z]+:)' build.log || true
	# Debian's flags (_FORTIFY_SOURCE, -fstack-protector-strong, ...)
	# must not make the compilers warn either.
	warnings=$(grep -c -E '^[^ ]+:[0-9]+:([0-9]+:)? warning:' build.log || true)
	[ "$warnings" = 0 ] || { grep 'warning:' build.log; return 1; }
	changes=pkg/libinotifywd_${dversion}_$native_arch.changes
	echo "+ lintian -EvIL +pedantic $changes"
	# --fail-on none: the tags are judged below; a non-zero exit is then
	# lintian's own failure.
	lintian -EvIL +pedantic --fail-on none "$changes" >lintian.log 2>&1 ||
		{ cat lintian.log; echo "lintian failed"; return 1; }
	cat lintian.log
	# "X: package[ type]: tag [context]", X the severity's letter.
	while IFS= read -r line; do
		tag=$(sed -E 's/^[A-Z]: [^:]+: ([^ ]+).*/\1/' <<< "$line")
		n=$((n + 1))
		allowed=$(printf '%s\n' "${deb_allowed_tags[@]}" |
			  sed -n "s/^$tag: //p")
		if [ -n "$allowed" ]; then
			echo "allowed: $tag ($allowed)"
		else
			echo "NOT ALLOWED: $line"
			bad=$((bad + 1))
		fi
	done < <(grep -E '^[A-Z]: ' lintian.log)
	[ "$bad" = 0 ] || return 1
	figure "$(ls pkg/*.deb | wc -l) .debs and a .dsc built, suite run;" \
	       "lintian: $n tag(s), all packaging-only"
}

# ---- uml: the suite on a kernel without the ioctl ---------------------------
# The guest's init: $work is bound out of the way and a tmpfs mounted in
# its place, the source and build trees copied onto it under the same
# paths (libtool's wrappers name them), so every file the tests watch is
# on tmpfs: hostfs makes a new inode per lookup.  Its sysctls are its own:
# max_user_watches is raised there, and the cases that shrink the event
# queue are let in (INOTIFYWD_TEST_SYSCTL=1).  The results go to
# $work/uml-out on hostfs; the guest always ends with poweroff -f.
write_uml_init() {
	printf '#!/bin/sh\nWORK=%s\nBUILD=%s\nMULT=%s\n' "$work" "$bdir" \
		"${MATRIX_UML_TIMEOUT_MULTIPLIER:-1}"
	cat <<'EOF'
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LC_ALL=C
HOME=/root
export PATH LC_ALL HOME
HOST=/run/host-work
OUT=$HOST/uml-out
finish() {
	echo "$1" >"$OUT/rc"
	sync
	poweroff -f
}
mount -t proc proc /proc || poweroff -f
mount -t sysfs sysfs /sys
mount -t tmpfs -o size=16m tmpfs /run && mkdir -p "$HOST" &&
	mount --bind "$WORK" "$HOST" || poweroff -f
mount -t tmpfs -o size=1200m tmpfs "$WORK" || finish 90
cp -a "$HOST/src" "$HOST/uml" "$WORK/" || finish 91
mkdir -p "$WORK/tmp"
echo 1048576 >/proc/sys/fs/inotify/max_user_watches || finish 92
# init's hard limit is the kernel's 4096: room for test-handles' 2,000
# kept fds, but only just.
ulimit -n 65536
uname -r >"$OUT/uname"
stat -f -c %T "$WORK/tmp" "$HOST" >"$OUT/fstypes"
"$BUILD/tools/inotifywd" probe >"$OUT/probe" 2>&1
# hostfs makes a new inode for every lookup of a name nobody holds: an
# add that went twice by name met another inode (ESTALE).  The library
# holds the inode for every add after the first, so it must succeed.
"$BUILD/tools/inotifywd" add --wd 1 "$HOST/src/README.md" \
	>"$OUT/hostfs-add" 2>&1
echo $? >>"$OUT/hostfs-add"
"$BUILD/tools/inotifywd" add --wd 1 "$WORK/src/README.md" \
	>"$OUT/tmpfs-add" 2>&1
echo $? >>"$OUT/tmpfs-add"
cd "$BUILD" || finish 93
start=$(date +%s)
TMPDIR=$WORK/tmp INOTIFYWD_TEST_SYSCTL=1 CK_TIMEOUT_MULTIPLIER=$MULT \
	make check >"$OUT/check.log" 2>&1
rc=$?
echo $(($(date +%s) - start)) >"$OUT/check.secs"
mkdir -p "$OUT/tests"
cp test-suite.log "$OUT/"
cp tests/*.log "$OUT/tests/"
finish $rc
EOF
}

# The sum of the "(xN)" of the "left out" lines in the files given.
left_out_count() {
	sed -n 's/^[^ ]*: left out .* (x\([0-9]*\)): .*/\1/p' "$@" |
		awk '{ s += $1 } END { print s + 0 }'
}

# Per program: the cases run, passed and left out, from the Check logs
# in directory $1.
case_table() {
	local f run fails errs
	printf '%-14s %6s %7s %9s\n' program run passed "left out"
	for f in "$1"/test-*.log; do
		[ -f "$f" ] || continue
		read -r run fails errs < <(sed -n 's/^[0-9]*%: Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' "$f" |
			tail -1)
		printf '%-14s %6s %7s %9s\n' "$(basename "$f" .log)" \
			"${run:-0}" "$((${run:-0} - ${fails:-0} - ${errs:-0}))" \
			"$(left_out_count "$f")"
	done
}

# Boots the guest in a process group of its own, so that a timeout can
# end it whole; returns when it powered off or was killed.
run_uml_guest() {
	local limit=${MATRIX_UML_TIMEOUT:-2400} waited=0 pid
	echo "+ linux mem=2G rootfstype=hostfs rootflags=/ rw init=$1" \
	     "(at most ${limit}s)"
	setsid linux mem=2G rootfstype=hostfs rootflags=/ rw init="$1" \
		con=null con0=fd:0,fd:1 </dev/null >"$work/uml-console.log" 2>&1 &
	pid=$!
	# shellcheck disable=SC2064
	trap "kill -KILL -- -$pid 2>/dev/null" EXIT
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$waited" -ge "$limit" ]; then
			echo "the guest ran for ${limit}s: killing it (group $pid)"
			kill -KILL -- "-$pid" 2>/dev/null || true
			break
		fi
		sleep 2
		waited=$((waited + 2))
	done
	wait "$pid" 2>/dev/null || true
	trap - EXIT
	echo "+ guest ended after about ${waited}s"
}

# What the guest wrote: its kernel lacks the ioctl, its scratch is on
# tmpfs, and an add on hostfs (a new inode per lookup) holds its inode.
check_uml_guest() {
	local out=$1
	echo "+ guest kernel $(cat "$out/uname"); scratch, hostfs:" \
	     "$(tr '\n' ' ' <"$out/fstypes")"
	cat "$out/probe"
	grep -q '^setnextwd: no (ENOTTY' "$out/probe" ||
		{ echo "the guest's kernel has the ioctl: nothing proven"; return 1; }
	[ "$(head -1 "$out/fstypes")" = tmpfs ] ||
		{ echo "the guest's scratch directory is not on tmpfs"; return 1; }
	echo "+ inotifywd add --wd 1 on hostfs, then on tmpfs:"
	cat "$out/hostfs-add" "$out/tmpfs-add"
	[ "$(tail -1 "$out/hostfs-add")" = 0 ] ||
		{ echo "add on hostfs failed: the inode was not held"; return 1; }
	[ "$(tail -1 "$out/tmpfs-add")" = 0 ] ||
		{ echo "add on the guest's tmpfs failed"; return 1; }
}

check_uml() {
	local out=$work/uml-out t0 cases
	require user-mode-linux
	configure_in uml --enable-werror
	# Built here, at full speed; the guest only runs the tests.
	make -j"$jobs" >make.log 2>&1 || { tail -40 make.log; return 1; }
	make -j"$jobs" check TESTS= tests/cli-holder >>make.log 2>&1 ||
		{ tail -40 make.log; return 1; }
	mkdir -p "$out"
	write_uml_init >"$work/uml-init.sh"
	chmod +x "$work/uml-init.sh"
	t0=$SECONDS
	run_uml_guest "$work/uml-init.sh"
	echo "+ guest console: $work/uml-console.log"
	if [ ! -s "$out/rc" ]; then
		echo "the guest produced no results; its console ends:"
		tail -30 "$work/uml-console.log"
		return 1
	fi
	grep -E '^(PASS|FAIL|SKIP|ERROR|XPASS|# )' "$out/check.log" || true
	case_table "$out/tests"
	grep -h ': left out ' "$out"/tests/test-*.log || true
	check_uml_guest "$out"
	if [ "$(cat "$out/rc")" != 0 ]; then
		echo "make check in the guest failed (exit $(cat "$out/rc"))"
		show_test_failures_in "$out/tests"
		tail -20 "$out/check.log"
		return 1
	fi
	cases=$(sed -n 's/^[0-9]*%: Checks: \([0-9]*\).*/\1/p' \
		"$out"/tests/test-*.log | awk '{ s += $1 } END { print s + 0 }')
	figure "$cases Check cases passed," \
	       "$(left_out_count "$out"/tests/test-*.log) left out," \
	       "in UML $(cat "$out/uname") (SETNEXTWD: ENOTTY);" \
	       "make check $(cat "$out/check.secs")s, guest $((SECONDS - t0))s"
}

run_check() {
	current=$1
	case $1 in
	asan-gcc) check_asan gcc ;;
	asan-clang) check_asan clang ;;
	valgrind) check_valgrind ;;
	werror-gcc) check_werror gcc ;;
	werror-clang) check_werror clang ;;
	cppcheck) check_cppcheck ;;
	clang-tidy) check_clang_tidy ;;
	i386) check_i386 ;;
	musl) check_musl ;;
	fuzz) check_fuzz ;;
	deb) check_deb ;;
	uml) check_uml ;;
	esac
}

# ---- main -----------------------------------------------------------------

t0=$SECONDS
header "matrix: ${#checks[@]} checks of $srcdir, in $work"
install_packages
if ! prepare_source; then
	failed_any=1
	echo "matrix: could not prepare the source tree"
	echo "0 passed, ${#checks[@]} failed"
	exit 1
fi

passed=0
failed=0
results=()
i=0
for c in "${checks[@]}"; do
	i=$((i + 1))
	header "[$i/${#checks[@]}] $c"
	t=$SECONDS
	set +e
	(set -e; run_check "$c") >"$logs/$c.log" 2>&1
	rc=$?
	set -e
	dt=$((SECONDS - t))
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		fig=$(cat "$work/$c.figure" 2>/dev/null || echo "-")
		echo "PASS $c (${dt}s): $fig"
		results+=("$(printf '%-6s %-13s %5ss  %s' PASS "$c" "$dt" "$fig")")
	else
		failed=$((failed + 1))
		failed_any=1
		echo "--- last lines of $logs/$c.log:"
		tail -n 80 "$logs/$c.log"
		echo "FAIL $c (${dt}s)"
		results+=("$(printf '%-6s %-13s %5ss  %s' FAIL "$c" "$dt" "see $logs/$c.log")")
	fi
done

header "summary ($((SECONDS - t0))s)"
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
