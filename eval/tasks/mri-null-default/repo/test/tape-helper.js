// Squadron's eval: the slice of tape's API (https://github.com/tape-testing/tape) these upstream tests
// use, on node:test and node:assert, so they run with `node --test` and no npm dependency.
const { test: nodeTest } = require('node:test');
const assert = require('node:assert');

module.exports = function test(name, fn) {
	nodeTest(name, () => {
		const t = {
			deepEqual: (a, b, msg) => assert.deepStrictEqual(a, b, msg),
			same: (a, b, msg) => assert.deepStrictEqual(a, b, msg),
			equal: (a, b, msg) => assert.strictEqual(a, b, msg),
			is: (a, b, msg) => assert.strictEqual(a, b, msg),
			ok: (v, msg) => assert.ok(v, msg),
			end: () => {},
		};
		fn(t);
	});
};
