#!/bin/sh
# A real tree-sitter check that works without GitHub: tree-sitter 0.13's
# generator and runtime are C/C++ and ship inside npm's tree-sitter-cli@0.13
# and tree-sitter@0.13 packages. This compiles them (g++/gcc, about a minute),
# generates a parser from grammar.js (fields stripped: 0.13 has none), and
#  - fails on any unresolved LR conflict, as `tree-sitter generate` does;
#  - parses every sample program of the repository, expecting no ERROR;
#  - expects ERROR for each syntax-error sample (tests/check/err/e0001_*),
#    except e0001_keyword_as_field (keywords are contextual here);
#  - runs test/corpus/ (trees compared without field names).
# The current CLI (scripts/cli-test.sh) remains the reference where it can
# be installed. Work files go to ${DASH_TS_LEGACY_DIR:-/tmp/dash-ts-legacy}.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
repo=$(cd "$root/../.." && pwd)
work=${DASH_TS_LEGACY_DIR:-${TMPDIR:-/tmp}/dash-ts-legacy}
mkdir -p "$work"
cd "$work"

if [ ! -d node_modules/tree-sitter-cli/vendor/tree-sitter ] || [ ! -d node_modules/tree-sitter/vendor/tree-sitter ]; then
  [ -f package.json ] || echo '{"private": true}' > package.json
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error tree-sitter-cli@0.13.16 tree-sitter@0.13.23 >/dev/null
fi
V=node_modules/tree-sitter-cli/vendor/tree-sitter
R=node_modules/tree-sitter/vendor/tree-sitter

if [ ! -x gen ]; then
  echo "legacy-check: compiling the tree-sitter 0.13 generator"
  sources=$(node -e "
    const t = require('fs').readFileSync('$V/project.gyp', 'utf8');
    const c = t.slice(t.indexOf(\"'target_name': 'compiler'\"), t.indexOf(\"'target_name': 'runtime'\"));
    console.log([...c.matchAll(/'((?:src|externals)\/[^']+\.(?:cc|c))'/g)].map((m) => '$V/' + m[1]).join(' '));")
  mkdir -p obj
  for src in $sources; do
    obj="obj/$(echo "$src" | tr '/' '_').o"
    case "$src" in
      *.c) cc -O1 -w -I"$V/include" -I"$V/src" -I"$V/externals/utf8proc" -I"$V/externals/json-parser" -c "$src" -o "$obj" ;;
      *) c++ -std=gnu++17 -O1 -w -I"$V/include" -I"$V/src" -I"$V/externals/utf8proc" -I"$V/externals/json-parser" -c "$src" -o "$obj" ;;
    esac
  done
  c++ -std=gnu++17 -O1 -I"$V/include" "$here/legacy/gen.cc" obj/*.o -o gen
fi

node "$here/legacy/grammar-json.js" > grammar.json
./gen < grammar.json > parser.c
echo "legacy-check: generated parser.c ($(wc -c < parser.c) bytes), no unresolved conflicts"
cc -std=gnu99 -O1 -w -I"$R/include" -I"$R/src" -I"$R/externals/utf8proc" \
  "$here/legacy/parse.c" parser.c "$R/src/runtime/runtime.c" -o parse

samples=""
for dir in tests/check/ok tests/parse tests/fmt tests/run tests/run_fail tests/ir; do
  for f in "$repo/$dir"/*.dash; do [ -e "$f" ] && samples="$samples $f"; done
done
samples="$samples $(find "$repo/pipelines" -name '*.dash' 2>/dev/null | sort | tr '\n' ' ')"
# shellcheck disable=SC2086
./parse $samples > samples.out || { grep -v '^ok' samples.out; echo "legacy-check: a sample has a syntax error"; exit 1; }
echo "legacy-check: $(grep -c '^ok' samples.out) sample programs parse without errors"

bad=0
for f in "$repo"/tests/check/err/e0001_*.dash; do
  case "$(basename "$f")" in e0001_keyword_as_field.dash) continue ;; esac
  if ./parse "$f" > /dev/null; then echo "legacy-check: $f parses but should not"; bad=1; fi
done
[ "$bad" = 0 ] || exit 1
echo "legacy-check: every syntax-error sample gives an ERROR node"

node "$here/legacy/corpus.js" "$work/parse" "$work"
