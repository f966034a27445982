// Squadron's eval: the slice of expect.js's API (https://github.com/Automattic/expect.js) these upstream
// tests use, on node:assert, so they run with `node --test` and no npm dependency.
const assert = require('node:assert');

module.exports = function expect(actual) {
  return {
    to: {
      be: (expected) => assert.strictEqual(actual, expected),
      throwError: () => assert.throws(actual),
      not: { throwError: () => assert.doesNotThrow(actual) },
    },
  };
};
