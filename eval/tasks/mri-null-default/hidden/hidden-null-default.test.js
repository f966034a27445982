// Hidden check of Squadron's eval, from upstream lukeed/mri commit 713830b, test/index.js:
//   test('flag default null value', …) — `t.same` is a deep equal.
const { test } = require('node:test');
const assert = require('node:assert');
const fn = require('./lib');

test('flag default null value (upstream 713830b)', () => {
	const argv = fn(['--foo'], { default: { bar: null } });
	assert.deepStrictEqual(argv, { foo: true, bar: null, _: [] });
});
