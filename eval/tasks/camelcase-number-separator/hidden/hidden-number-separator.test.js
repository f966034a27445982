// Hidden check of Squadron's eval, from upstream sindresorhus/camelcase commit e7dccc9 (PR #112), test.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import camelCase from './index.js';

test('numbers before a separator (upstream e7dccc9)', () => {
	assert.equal(camelCase('b2b_registration_request'), 'b2bRegistrationRequest');
	assert.equal(camelCase('b2b-registration-request'), 'b2bRegistrationRequest');
	assert.equal(camelCase('b2b_registration_b2b_request'), 'b2bRegistrationB2bRequest');
	assert.equal(camelCase('b2b_registration_request', {pascalCase: true}), 'B2bRegistrationRequest');
});
