import test from 'node:test';
import assert from 'node:assert/strict';
import decamelize from './index.js';

test('decamelize', () => {
	assert.equal(decamelize(''), '');
	assert.equal(decamelize('unicornsAndRainbows'), 'unicorns_and_rainbows');
	assert.equal(decamelize('UNICORNS AND RAINBOWS'), 'unicorns and rainbows');
	assert.equal(decamelize('unicorns-and-rainbows'), 'unicorns-and-rainbows');
	assert.equal(decamelize('thisIsATest'), 'this_is_a_test');
	assert.equal(decamelize('thisIsATest', ' '), 'this is a test');
	assert.equal(decamelize('thisIsATest', ''), 'thisisatest');
	assert.equal(decamelize('unicornRainbow', '|'), 'unicorn|rainbow');
	assert.equal(decamelize('thisHasSpecialCharactersLikeČandŠ', ' '), 'this has special characters like čand š');
});

test('handles acronyms', () => {
	assert.equal(decamelize('myURLString'), 'my_url_string');
	assert.equal(decamelize('URLString'), 'url_string');
	assert.equal(decamelize('StringURL'), 'string_url');
	assert.equal(decamelize('testGUILabel'), 'test_gui_label');
});
