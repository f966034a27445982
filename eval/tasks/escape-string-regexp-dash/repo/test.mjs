import test from 'node:test';
import assert from 'node:assert/strict';
import escapeStringRegexp from './index.js';

test('main', () => {
	assert.equal(
		escapeStringRegexp('\\ ^ $ * + ? . ( ) | { } [ ]'),
		'\\\\ \\^ \\$ \\* \\+ \\? \\. \\( \\) \\| \\{ \\} \\[ \\]'
	);
});
