#!/usr/bin/env bash
# The product as a user installs it: build the wheel, install it into a fresh venv outside the
# checkout, and run every front end from an empty temporary folder, checking what they print.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() { echo "smoke: $*" >&2; exit 1; }
# expect CODE FRAGMENT COMMAND...: exit code CODE and FRAGMENT in stdout+stderr.
expect() {
  local code="$1" fragment="$2"; shift 2
  local got=0
  "$@" >"$work/out.txt" 2>"$work/err.txt" || got=$?
  [ "$got" = "$code" ] || fail "$* exited $got, not $code: $(cat "$work/err.txt")"
  grep -qF -- "$fragment" "$work/out.txt" "$work/err.txt" || fail "$* did not print '$fragment'"
}

echo "smoke: building the wheel"
quietly() { "$@" >"$work/pip.log" 2>&1 || { cat "$work/pip.log" >&2; fail "$* failed"; }; }
quietly "$repo/.venv/bin/python" -m pip wheel --no-deps --wheel-dir "$work/dist" "$repo"
quietly "$python" -m venv "$work/venv"
quietly "$work/venv/bin/python" -m pip install --disable-pip-version-check "$work"/dist/*.whl
bin="$work/venv/bin"
mkdir "$work/run" && cd "$work/run"
# Nothing may come from the checkout: no settings, no .env, no source tree on the path.
unset PYTHONPATH SLACK_BOT_TOKEN SLACK_APP_TOKEN SLACK_SIGNING_SECRET GOOGLE_APPLICATION_CREDENTIALS
export DATABASE_URL="sqlite:///$work/run/state.sqlite3"

echo "smoke: ctr"
expect 0 "CTR 0.40% (200 clicks / 50,000 impressions) · 95% CI 0.35%–0.46%" "$bin/ctr" 200 50000
expect 0 "Summer is ahead" "$bin/ctr" "Spring: 200 50000 vs Summer: 260 48000"
expect 2 "Did you mean \`ctr 200 50000\`?" "$bin/ctr" 50000 200
expect 0 "▲ 0.60% is unusually high for it" "$bin/ctr" 300 50000 --usual 180/52000,210/49000
expect 2 "Week 2 of --usual ('000')" "$bin/ctr" 200 50000 --usual 180/52,000
"$bin/ctr" --json 200 50000 | "$bin/python" -c '
import json, sys
data = json.load(sys.stdin)
assert (data["clicks"], data["impressions"], data["ctr"]) == (200, 50000, 0.004), data
assert 0.0034 < data["ci_low"] < 0.004 < data["ci_high"] < 0.0046, data'

echo "smoke: ctr-sheets"
cp "$repo/examples/campaigns.csv" campaigns.csv
expect 1 "420 CTR(s), 4 row(s) flagged" "$bin/ctr-sheets" sync campaigns.csv --output out/campaigns.csv
head -1 out/campaigns.csv | grep -q "CTR,CTR status" || fail "out/campaigns.csv has no CTR columns"
cmp -s campaigns.csv "$repo/examples/campaigns.csv" || fail "ctr-sheets --output changed its input"
expect 2 "missing.csv: no such file" "$bin/ctr-sheets" sync missing.csv
# Where a sync may write: never a FIFO, never a folder; a read-only file only when asked.
mkfifo pipe.csv
expect 2 "not a regular file" "$bin/ctr-sheets" sync campaigns.csv --output pipe.csv
[ -p pipe.csv ] || fail "ctr-sheets replaced a FIFO"
expect 2 "names a folder" "$bin/ctr-sheets" sync campaigns.csv --output result/
[ -e result ] && fail "ctr-sheets --output result/ wrote something"
expect 2 "not a text encoding" "$bin/ctr-sheets" sync campaigns.csv --encoding base64
chmod 444 campaigns.csv
expect 2 "is read-only" "$bin/ctr-sheets" sync campaigns.csv
cmp -s campaigns.csv "$repo/examples/campaigns.csv" || fail "ctr-sheets changed a read-only file"
expect 1 "4 row(s) flagged" "$bin/ctr-sheets" sync campaigns.csv --write-read-only
[ "$(stat -c %a campaigns.csv)" = 444 ] || fail "ctr-sheets --write-read-only changed the mode"

echo "smoke: ctr-bot"
expect 0 "420 CTRs filled in, 4 bad rows flagged" "$bin/ctr-bot" demo
grep -qF "Total: 1.21% (usual 1.25%) · 7,974 / 660,525" "$work/out.txt" ||
  fail "the demo summary lost its total or its usual CTR"
grep -qF "Unusual for themselves" "$work/out.txt" || fail "the demo lost its unusual campaigns"
grep -qF "*Total" "$work/out.txt" && fail "the demo printed raw Slack markup"
[ "$(head -c 4 out/weekly-chart.png | od -An -c | tr -d ' ')" = "211PNG" ] || fail "no demo chart"
expect 0 '"type": "header"' "$bin/ctr-bot" demo --json --out demo-json
expect 0 "chart written to charts/week.png" \
  "$bin/ctr-bot" summary campaigns.csv --channel C1 --dry-run --chart charts/week.png
grep -qF '"channel": "C1"' "$work/out.txt" || fail "summary --dry-run printed no message"
[ -s charts/week.png ] || fail "summary --dry-run wrote no chart"
"$bin/python" -c '
import sqlite3, sys
from bot.store.engine import connect, migrate
migrate(connect("sqlite:///migrated.sqlite3"))  # what ctr-bot does at start
tables = {row[0] for row in sqlite3.connect("migrated.sqlite3").execute("select name from sqlite_master")}
missing = {"watches", "sheet_syncs", "change_polls", "quota_buckets"} - tables
columns = {row[1] for row in sqlite3.connect("migrated.sqlite3").execute("pragma table_info(watches)")}
missing |= {"tab", "schedule_since", "last_error"} - columns  # migration 0006
sys.exit(f"the installed migrations left out {sorted(missing)}" if missing else 0)' ||
  fail "the wheel does not carry every migration"
expect 2 "SLACK_BOT_TOKEN" "$bin/ctr-bot"
[ "$(wc -l <"$work/err.txt")" = 1 ] || fail "ctr-bot without settings said more than one line"
echo "smoke: the installed wheel works from $work/run"
