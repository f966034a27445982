// Hidden check of Squadron's eval, from upstream vercel/ms commit 2669f23 (PR #111), tests.js:
//   expect(ms('-10.5h')).to.be(-37800000);
const { test } = require('node:test');
const assert = require('node:assert');
const ms = require('./');

test('should work with negative decimals (upstream 2669f23)', () => {
  assert.strictEqual(ms('-1.5h'), -5400000);
  assert.strictEqual(ms('-10.5h'), -37800000);
});
