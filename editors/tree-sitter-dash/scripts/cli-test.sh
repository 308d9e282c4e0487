#!/bin/sh
# The real tree-sitter CLI: generate the parser, run the corpus in
# test/corpus/, and parse every sample program of the repository expecting
# no ERROR or MISSING node. Skipped (exit 0) when the CLI is not installed,
# unless called with --require.
set -eu
cd "$(dirname "$0")/.."
REPO=../..

TS=""
if [ -x node_modules/.bin/tree-sitter ] && node_modules/.bin/tree-sitter --version >/dev/null 2>&1; then
  TS=node_modules/.bin/tree-sitter
elif command -v tree-sitter >/dev/null 2>&1; then
  TS=tree-sitter
fi
if [ -z "$TS" ]; then
  echo "cli-test: SKIPPED: no tree-sitter CLI (npm's tree-sitter-cli downloads its binary from GitHub at install time; or: cargo install tree-sitter-cli)"
  if [ "${1:-}" = "--require" ]; then exit 1; fi
  exit 0
fi

echo "cli-test: $($TS --version)"
$TS generate
ls -l src/parser.c
$TS test

samples=""
for dir in tests/check/ok tests/parse tests/fmt tests/run tests/run_fail tests/ir; do
  for f in "$REPO/$dir"/*.dash; do
    [ -e "$f" ] && samples="$samples $f"
  done
done
samples="$samples $(find "$REPO/pipelines" -name '*.dash' 2>/dev/null | sort | tr '\n' ' ')"
# --quiet prints only the files with errors and exits non-zero for them
# shellcheck disable=SC2086
$TS parse --quiet --stat $samples
echo "cli-test: ok"
