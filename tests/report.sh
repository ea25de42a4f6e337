# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 the libinotifywd authors
#
# Sourced by the shell tests: one line per check, then Automake's exit
# status (0 all passed, 1 a check failed, 77 the test was skipped).
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }
skip() { echo "SKIP: $1"; exit 77; }
# The last command of a test: the counts, and its exit status.
report() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
