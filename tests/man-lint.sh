#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 the libinotifywd authors
#
# Lint the manual, and keep it in step with the ABI and the build.
#
#  - Every page passes "mandoc -Tlint -W warning" and "groff -ww -z -man -t"
#    (for the default device and for utf8) without printing anything.
#  - Every ".so" stub is a single line naming an existing page of the same
#    section, which is not itself a stub.  mandoc calls any .so "fragile"
#    at warning level; that one message is expected for stubs and ignored.
#  - Every page starts with the SPDX line (after a '\" preprocessor line)
#    and has a .TH naming the package version of configure.ac.
#  - Every function exported in lib/libinotifywd.map has a page (or stub)
#    of its own name, and is listed in the NAME section of the page it
#    leads to; every function listed in a NAME section has a page.
#  - man/Makemodule.am lists exactly the pages in man/.
#
# Exit 77 (skipped) when mandoc or groff is missing.  srcdir comes from
# the automake test harness; run by hand, the script finds it itself.

set -u

MANDOC=${MANDOC:-mandoc}
GROFF=${GROFF:-groff}

top=${srcdir:-$(dirname "$0")/..}
top=$(cd "$top" && pwd) || exit 99
mandir=$top/man
map=$top/lib/libinotifywd.map
makemodule=$top/man/Makemodule.am

for tool in "$MANDOC" "$GROFF"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not found"
		exit 77
	fi
done

passed=0
failed=0

pass() {
	passed=$((passed + 1))
	echo "PASS: $*"
}

# fail WHAT [OUTPUT]: report a failure, with the tool's output indented.
fail() {
	failed=$((failed + 1))
	echo "FAIL: $1"
	if [ -n "${2:-}" ]; then
		printf '%s\n' "$2" | sed 's/^/    /'
	fi
}

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' \
	"$top/configure.ac")

shopt -s nullglob
pages=("$mandir"/*.[1-9])
if [ ${#pages[@]} -eq 0 ]; then
	fail "no pages in $mandir"
	echo "$passed passed, $failed failed"
	exit 1
fi

# A stub is a page whose first line is a .so request.
is_stub() {
	head -n 1 "$1" | grep -q '^\.so '
}

# The page a stub leads to (man/NAME.N), or the page itself.
resolve() {
	local target
	if is_stub "$1"; then
		target=$(head -n 1 "$1" | sed 's/^\.so *//')
		echo "$mandir/${target##*/}"
	else
		echo "$1"
	fi
}

# The names listed in the NAME section of a page (the text before its
# "\-", which may span lines), one per line.
name_list() {
	sed -n '/^\.SH NAME/,/^\.SH/{/^\.SH/d;p;}' "$1" | tr '\n' ' ' |
		sed 's/\\-.*//; s/\\f[BIRP]//g' | tr ', ' '\n\n' | sed '/^$/d'
}

# Run the formatters in a tree shaped like an installed manual, so that
# the .so requests of the stubs resolve.
for page in "${pages[@]}"; do
	base=${page##*/}
	mkdir -p "$tmp/man${base##*.}"
	ln -s "$page" "$tmp/man${base##*.}/$base"
done

for page in "${pages[@]}"; do
	base=${page##*/}
	sec=${base##*.}
	rel=man$sec/$base

	if is_stub "$page"; then
		target=$(head -n 1 "$page" | sed 's/^\.so *//')
		tbase=${target##*/}
		if [ "$(wc -l < "$page")" -ne 1 ]; then
			fail "$base: a stub must be one line"
		elif [ "$target" != "man${tbase##*.}/$tbase" ] ||
		     [ "${tbase##*.}" != "$sec" ]; then
			fail "$base: .so must name man$sec/PAGE.$sec, not $target"
		elif [ ! -f "$mandir/$tbase" ]; then
			fail "$base: .so target $tbase does not exist"
		elif is_stub "$mandir/$tbase"; then
			fail "$base: .so target $tbase is itself a stub"
		else
			pass "$base: stub for $tbase"
		fi
		out=$(cd "$tmp" && "$MANDOC" -Tlint -W warning "$rel" 2>&1 |
			grep -v 'WARNING: \.so is fragile')
	else
		if head -n 2 "$page" |
		   grep -qx '\.\\" SPDX-License-Identifier: LGPL-2\.1-or-later'; then
			pass "$base: SPDX line"
		else
			fail "$base: no SPDX line at the top"
		fi
		th=$(grep -m 1 '^\.TH ' "$page")
		case $th in
		*"\"libinotifywd $version\""*)
			pass "$base: .TH names libinotifywd $version" ;;
		*)
			fail "$base: .TH does not name libinotifywd $version" \
			     "$th" ;;
		esac
		out=$(cd "$tmp" && "$MANDOC" -Tlint -W warning "$rel" 2>&1)
	fi
	if [ -z "$out" ]; then
		pass "$base: mandoc -Tlint -W warning"
	else
		fail "$base: mandoc -Tlint -W warning" "$out"
	fi

	for dev in "" utf8; do
		out=$(cd "$tmp" &&
		      "$GROFF" -ww -z -man -t ${dev:+-T$dev} "$rel" 2>&1)
		if [ -z "$out" ]; then
			pass "$base: groff -ww -z -man -t${dev:+ -T$dev}"
		else
			fail "$base: groff -ww -z -man -t${dev:+ -T$dev}" "$out"
		fi
	done
done

# The ABI: every exported function has a page, and is named in it.
exported=$(sed -n '/global:/,/local:/p' "$map" |
	sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);.*/\1/p')
if [ -z "$exported" ]; then
	fail "no exported functions found in ${map#"$top"/}"
fi
for fn in $exported; do
	page=$mandir/$fn.3
	if [ ! -f "$page" ]; then
		fail "$fn: exported, but man/$fn.3 does not exist"
		continue
	fi
	doc=$(resolve "$page")
	if [ -f "$doc" ] && name_list "$doc" | grep -qx "$fn"; then
		pass "$fn: documented in ${doc##*/}"
	else
		fail "$fn: not in the NAME section of ${doc##*/}"
	fi
done

# The other way round: every name in a NAME section can be looked up.
for page in "${pages[@]}"; do
	is_stub "$page" && continue
	base=${page##*/}
	for name in $(name_list "$page"); do
		if [ ! -f "$mandir/$name.${base##*.}" ]; then
			fail "$base: lists $name, but man/$name.${base##*.} does not exist"
		fi
	done
done

# Cross references to this package's own pages lead somewhere.
for page in "${pages[@]}"; do
	is_stub "$page" && continue
	base=${page##*/}
	refs=$(sed -n 's/^\.[BI]R \(inotify_add_watch_at\|inotify_wd_[a-z_]*\|libinotifywd\|inotifywd\) (\([1-9]\)).*/\1.\2/p' "$page" |
		sort -u)
	for ref in $refs; do
		if [ ! -f "$mandir/$ref" ]; then
			fail "$base: refers to ${ref%.*}(${ref##*.}), but man/$ref does not exist"
		fi
	done
done

# The build: man/Makemodule.am lists exactly the pages there are.
listed=$(sed -n '/^dist_man_MANS/,/^$/p' "$makemodule" |
	grep -o 'man/[^ \\]*' | sort)
present=$(for page in "${pages[@]}"; do echo "man/${page##*/}"; done | sort)
if [ "$listed" = "$present" ]; then
	pass "man/Makemodule.am lists every page"
else
	fail "man/Makemodule.am and man/ disagree (< listed, > present)" \
	     "$(diff <(echo "$listed") <(echo "$present") | grep '^[<>]')"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
