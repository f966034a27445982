#!/usr/bin/env bash
# How eval/tasks/*/repo and hidden/ were made (re-run to check provenance; needs the mirrors that
# Squadron's `fetch` tool brought under /work/.mirror). Each repo/ is the upstream tree at the commit
# BEFORE an upstream fix (so the bug is real), reduced to source + license + a visible test converted
# to `node --test` (ava/tape/mocha are npm dependencies; node:test and node:assert are not). hidden/
# is the upstream fix commit's new assertions, converted the same way; upstream-fix.patch is the
# fix commit's source change (used by tests/unit/eval-tasks.test.ts to prove the hidden test
# fails before and passes after the real fix). package.json, expect-helper.js and test/tape-helper.js
# in repo/ are written by Squadron (not upstream) and left alone by this script.
set -euo pipefail
M=${MIRRORS:-/work/.mirror}
T=$(cd "$(dirname "$0")" && pwd)/tasks
show() { git --git-dir="$1" show "$2:$3"; }
ava2node() { # ava → node:test + node:assert/strict
  sed -e "s#^import test from 'ava';#import test from 'node:test';\nimport assert from 'node:assert/strict';#" \
      -e "s#^import \(.*\) from '\.';#import \1 from './index.js';#" \
      -e 's/\bt => {/() => {/' -e 's/\bt\.is(/assert.equal(/g' -e 's/\bt\.deepEqual(/assert.deepEqual(/g' -e 's/\bt\.throws(/assert.throws(/g'
}

# 1. vercel/ms: negative decimals below -10 (fix 2669f23, PR #111)
d=$T/ms-negative-decimals; R=$M/vercel+ms/repo; C=fe0bae301a6c41f68a01595658a4f4f0dcba0e84
mkdir -p "$d/repo" "$d/hidden"
show $R $C index.js > "$d/repo/index.js"; show $R $C license.md > "$d/repo/license.md"
{ echo "// Upstream tests.js at $C (mocha + expect.js), run by node:test with a minimal expect.js-style helper."
  echo "const { describe, it } = require('node:test');"
  echo "const expect = require('./expect-helper.js');"
  echo "const ms = require('./');"
  show $R $C tests.js | sed -e '/^if (typeof require/,/^}/d' -e '/^\/\*\*$/,/^ \*\/$/d' -e '/eslint-disable/d'; } > "$d/repo/tests.test.js"
git --git-dir=$R show 2669f23 -- index.js > "$d/upstream-fix.patch"

# 2. sindresorhus/camelcase: numbers before a separator (fix e7dccc9, PR #112)
d=$T/camelcase-number-separator; R=$M/sindresorhus+camelcase/repo; C=c9fa59df2e32611c5c71d0f219f661fa8e1dfdf8
mkdir -p "$d/repo" "$d/hidden"
show $R $C index.js > "$d/repo/index.js"; show $R $C license > "$d/repo/license"
show $R $C test.js | ava2node > "$d/repo/test.js"
git --git-dir=$R show e7dccc9 -- index.js > "$d/upstream-fix.patch"

# 3. sindresorhus/decamelize: capitalized word ending with a number (fix 26c7530, PR #23)
d=$T/decamelize-caps-number; R=$M/sindresorhus+decamelize/repo; C=9ac3cb535f46e08eedb6ac7417e9bc26f5ff58bf
mkdir -p "$d/repo" "$d/hidden"
show $R $C index.js > "$d/repo/index.js"; show $R $C license > "$d/repo/license"
show $R $C test.js | ava2node | sed "s#from './index.js'#from './index.js'#" > "$d/repo/test.mjs"
git --git-dir=$R show 26c7530 -- index.js > "$d/upstream-fix.patch"

# 4. lukeed/mri: a `null` default value (fix 713830b)
d=$T/mri-null-default; R=$M/lukeed+mri/repo; C=ad57e8b9f7d8599633c6db1e7562b974e4d88143
mkdir -p "$d/repo/lib" "$d/repo/test" "$d/hidden"
show $R $C lib/index.js > "$d/repo/lib/index.js"; show $R $C license.md > "$d/repo/license.md"
for f in index num unknown; do
  show $R $C test/$f.js | sed -e "s#^const test = require('tape');#const test = require('./tape-helper.js');#" > "$d/repo/test/$f.test.js"
done
git --git-dir=$R show 713830b -- lib/index.js > "$d/upstream-fix.patch"

# 5. sindresorhus/escape-string-regexp: escape `-` (fix e76291d)
d=$T/escape-string-regexp-dash; R=$M/sindresorhus+escape-string-regexp/repo; C=ea980986c69f1cd8dee3b65597852c6eeaf79430
mkdir -p "$d/repo" "$d/hidden"
show $R $C index.js > "$d/repo/index.js"; show $R $C license > "$d/repo/license"
show $R $C test.js | ava2node > "$d/repo/test.mjs"
git --git-dir=$R show e76291d -- index.js > "$d/upstream-fix.patch"
