// Hidden check of Squadron's eval, from upstream sindresorhus/decamelize commit 26c7530 (PR #23), test.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import decamelize from './index.js';

test('handles a capitalized word ending with a number (upstream 26c7530)', () => {
	assert.equal(decamelize('CAPLOCKED1'), 'caplocked1');
	assert.equal(decamelize('testGUILabel'), 'test_gui_label');
});
