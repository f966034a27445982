// Hidden check of Squadron's eval, from upstream sindresorhus/escape-string-regexp commit e76291d, test.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import escapeStringRegexp from './index.js';

test('escapes `-` (upstream e76291d)', () => {
	assert.equal(escapeStringRegexp('foo - bar'), 'foo \\- bar');
});
