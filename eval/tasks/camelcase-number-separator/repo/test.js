import test from 'node:test';
import assert from 'node:assert/strict';
import camelCase from './index.js';

test('camelCase', () => {
	assert.equal(camelCase('foo'), 'foo');
	assert.equal(camelCase('IDs'), 'ids');
	assert.equal(camelCase('FooIDs'), 'fooIds');
	assert.equal(camelCase('foo-bar'), 'fooBar');
	assert.equal(camelCase('foo-bar-baz'), 'fooBarBaz');
	assert.equal(camelCase('foo--bar'), 'fooBar');
	assert.equal(camelCase('--foo-bar'), 'fooBar');
	assert.equal(camelCase('--foo--bar'), 'fooBar');
	assert.equal(camelCase('FOO-BAR'), 'fooBar');
	assert.equal(camelCase('FOÈ-BAR'), 'foèBar');
	assert.equal(camelCase('-foo-bar-'), 'fooBar');
	assert.equal(camelCase('--foo--bar--'), 'fooBar');
	assert.equal(camelCase('foo-1'), 'foo1');
	assert.equal(camelCase('foo.bar'), 'fooBar');
	assert.equal(camelCase('foo..bar'), 'fooBar');
	assert.equal(camelCase('..foo..bar..'), 'fooBar');
	assert.equal(camelCase('foo_bar'), 'fooBar');
	assert.equal(camelCase('__foo__bar__'), 'fooBar');
	assert.equal(camelCase('foo bar'), 'fooBar');
	assert.equal(camelCase('  foo  bar  '), 'fooBar');
	assert.equal(camelCase('-'), '');
	assert.equal(camelCase(' - '), '');
	assert.equal(camelCase('fooBar'), 'fooBar');
	assert.equal(camelCase('fooBar-baz'), 'fooBarBaz');
	assert.equal(camelCase('foìBar-baz'), 'foìBarBaz');
	assert.equal(camelCase('fooBarBaz-bazzy'), 'fooBarBazBazzy');
	assert.equal(camelCase('FBBazzy'), 'fbBazzy');
	assert.equal(camelCase('F'), 'f');
	assert.equal(camelCase('FooBar'), 'fooBar');
	assert.equal(camelCase('Foo'), 'foo');
	assert.equal(camelCase('FOO'), 'foo');
	assert.equal(camelCase(['foo', 'bar']), 'fooBar');
	assert.equal(camelCase(['foo', '-bar']), 'fooBar');
	assert.equal(camelCase(['foo', '-bar', 'baz']), 'fooBarBaz');
	assert.equal(camelCase(['', '']), '');
	assert.equal(camelCase('--'), '');
	assert.equal(camelCase(''), '');
	assert.equal(camelCase('_'), '');
	assert.equal(camelCase(' '), '');
	assert.equal(camelCase('.'), '');
	assert.equal(camelCase('..'), '');
	assert.equal(camelCase('--'), '');
	assert.equal(camelCase('  '), '');
	assert.equal(camelCase('__'), '');
	assert.equal(camelCase('--__--_--_'), '');
	assert.equal(camelCase(['---_', '--', '', '-_- ']), '');
	assert.equal(camelCase('foo bar?'), 'fooBar?');
	assert.equal(camelCase('foo bar!'), 'fooBar!');
	assert.equal(camelCase('foo bar$'), 'fooBar$');
	assert.equal(camelCase('foo-bar#'), 'fooBar#');
	assert.equal(camelCase('XMLHttpRequest'), 'xmlHttpRequest');
	assert.equal(camelCase('AjaxXMLHttpRequest'), 'ajaxXmlHttpRequest');
	assert.equal(camelCase('Ajax-XMLHttpRequest'), 'ajaxXmlHttpRequest');
	assert.equal(camelCase([]), '');
	assert.equal(camelCase('mGridCol6@md'), 'mGridCol6@md');
	assert.equal(camelCase('A::a'), 'a::a');
	assert.equal(camelCase('Hello1World'), 'hello1World');
	assert.equal(camelCase('Hello11World'), 'hello11World');
	assert.equal(camelCase('hello1world'), 'hello1World');
	assert.equal(camelCase('Hello1World11foo'), 'hello1World11Foo');
	assert.equal(camelCase('Hello1'), 'hello1');
	assert.equal(camelCase('hello1'), 'hello1');
	assert.equal(camelCase('1Hello'), '1Hello');
	assert.equal(camelCase('1hello'), '1Hello');
	assert.equal(camelCase('h2w'), 'h2W');
	assert.equal(camelCase('розовый_пушистый-единороги'), 'розовыйПушистыйЕдинороги');
	assert.equal(camelCase('розовый_пушистый-единороги'), 'розовыйПушистыйЕдинороги');
	assert.equal(camelCase('РОЗОВЫЙ_ПУШИСТЫЙ-ЕДИНОРОГИ'), 'розовыйПушистыйЕдинороги');
	assert.equal(camelCase('桑德在这里。'), '桑德在这里。');
	assert.equal(camelCase('桑德在这里。'), '桑德在这里。');
	assert.equal(camelCase('桑德_在这里。'), '桑德在这里。');
});

test('camelCase with pascalCase option', () => {
	assert.equal(camelCase('foo', {pascalCase: true}), 'Foo');
	assert.equal(camelCase('foo-bar', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('foo-bar-baz', {pascalCase: true}), 'FooBarBaz');
	assert.equal(camelCase('foo--bar', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('--foo-bar', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('--foo--bar', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('FOO-BAR', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('FOÈ-BAR', {pascalCase: true}), 'FoèBar');
	assert.equal(camelCase('-foo-bar-', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('--foo--bar--', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('foo-1', {pascalCase: true}), 'Foo1');
	assert.equal(camelCase('foo.bar', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('foo..bar', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('..foo..bar..', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('foo_bar', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('__foo__bar__', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('__foo__bar__', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('foo bar', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('  foo  bar  ', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('-', {pascalCase: true}), '');
	assert.equal(camelCase(' - ', {pascalCase: true}), '');
	assert.equal(camelCase('fooBar', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('fooBar-baz', {pascalCase: true}), 'FooBarBaz');
	assert.equal(camelCase('foìBar-baz', {pascalCase: true}), 'FoìBarBaz');
	assert.equal(camelCase('fooBarBaz-bazzy', {pascalCase: true}), 'FooBarBazBazzy');
	assert.equal(camelCase('FBBazzy', {pascalCase: true}), 'FbBazzy');
	assert.equal(camelCase('F', {pascalCase: true}), 'F');
	assert.equal(camelCase('FooBar', {pascalCase: true}), 'FooBar');
	assert.equal(camelCase('Foo', {pascalCase: true}), 'Foo');
	assert.equal(camelCase('FOO', {pascalCase: true}), 'Foo');
	assert.equal(camelCase(['foo', 'bar'], {pascalCase: true}), 'FooBar');
	assert.equal(camelCase(['foo', '-bar'], {pascalCase: true}), 'FooBar');
	assert.equal(camelCase(['foo', '-bar', 'baz'], {pascalCase: true}), 'FooBarBaz');
	assert.equal(camelCase(['', ''], {pascalCase: true}), '');
	assert.equal(camelCase('--', {pascalCase: true}), '');
	assert.equal(camelCase('', {pascalCase: true}), '');
	assert.equal(camelCase('--__--_--_', {pascalCase: true}), '');
	assert.equal(camelCase(['---_', '--', '', '-_- '], {pascalCase: true}), '');
	assert.equal(camelCase('foo bar?', {pascalCase: true}), 'FooBar?');
	assert.equal(camelCase('foo bar!', {pascalCase: true}), 'FooBar!');
	assert.equal(camelCase('foo bar$', {pascalCase: true}), 'FooBar$');
	assert.equal(camelCase('foo-bar#', {pascalCase: true}), 'FooBar#');
	assert.equal(camelCase('XMLHttpRequest', {pascalCase: true}), 'XmlHttpRequest');
	assert.equal(camelCase('AjaxXMLHttpRequest', {pascalCase: true}), 'AjaxXmlHttpRequest');
	assert.equal(camelCase('Ajax-XMLHttpRequest', {pascalCase: true}), 'AjaxXmlHttpRequest');
	assert.equal(camelCase([], {pascalCase: true}), '');
	assert.equal(camelCase('mGridCol6@md', {pascalCase: true}), 'MGridCol6@md');
	assert.equal(camelCase('A::a', {pascalCase: true}), 'A::a');
	assert.equal(camelCase('Hello1World', {pascalCase: true}), 'Hello1World');
	assert.equal(camelCase('Hello11World', {pascalCase: true}), 'Hello11World');
	assert.equal(camelCase('hello1world', {pascalCase: true}), 'Hello1World');
	assert.equal(camelCase('hello1World', {pascalCase: true}), 'Hello1World');
	assert.equal(camelCase('hello1', {pascalCase: true}), 'Hello1');
	assert.equal(camelCase('Hello1', {pascalCase: true}), 'Hello1');
	assert.equal(camelCase('1hello', {pascalCase: true}), '1Hello');
	assert.equal(camelCase('1Hello', {pascalCase: true}), '1Hello');
	assert.equal(camelCase('h1W', {pascalCase: true}), 'H1W');
	assert.equal(camelCase('РозовыйПушистыйЕдинороги', {pascalCase: true}), 'РозовыйПушистыйЕдинороги');
	assert.equal(camelCase('розовый_пушистый-единороги', {pascalCase: true}), 'РозовыйПушистыйЕдинороги');
	assert.equal(camelCase('РОЗОВЫЙ_ПУШИСТЫЙ-ЕДИНОРОГИ', {pascalCase: true}), 'РозовыйПушистыйЕдинороги');
	assert.equal(camelCase('桑德在这里。', {pascalCase: true}), '桑德在这里。');
	assert.equal(camelCase('桑德_在这里。', {pascalCase: true}), '桑德在这里。');
	assert.equal(camelCase('a1b', {pascalCase: true}), 'A1B');
});

test('camelCase with preserveConsecutiveUppercase option', () => {
	assert.equal(camelCase('foo-BAR', {preserveConsecutiveUppercase: true}), 'fooBAR');
	assert.equal(camelCase('Foo-BAR', {preserveConsecutiveUppercase: true}), 'fooBAR');
	assert.equal(camelCase('fooBAR', {preserveConsecutiveUppercase: true}), 'fooBAR');
	assert.equal(camelCase('fooBaR', {preserveConsecutiveUppercase: true}), 'fooBaR');
	assert.equal(camelCase('FOÈ-BAR', {preserveConsecutiveUppercase: true}), 'FOÈBAR');
	assert.equal(camelCase(['foo', 'BAR'], {preserveConsecutiveUppercase: true}), 'fooBAR');
	assert.equal(camelCase(['foo', '-BAR'], {preserveConsecutiveUppercase: true}), 'fooBAR');
	assert.equal(camelCase(['foo', '-BAR', 'baz'], {preserveConsecutiveUppercase: true}), 'fooBARBaz');
	assert.equal(camelCase(['', ''], {preserveConsecutiveUppercase: true}), '');
	assert.equal(camelCase('--', {preserveConsecutiveUppercase: true}), '');
	assert.equal(camelCase('', {preserveConsecutiveUppercase: true}), '');
	assert.equal(camelCase('--__--_--_', {preserveConsecutiveUppercase: true}), '');
	assert.equal(camelCase(['---_', '--', '', '-_- '], {preserveConsecutiveUppercase: true}), '');
	assert.equal(camelCase('foo BAR?', {preserveConsecutiveUppercase: true}), 'fooBAR?');
	assert.equal(camelCase('foo BAR!', {preserveConsecutiveUppercase: true}), 'fooBAR!');
	assert.equal(camelCase('foo BAR$', {preserveConsecutiveUppercase: true}), 'fooBAR$');
	assert.equal(camelCase('foo-BAR#', {preserveConsecutiveUppercase: true}), 'fooBAR#');
	assert.equal(camelCase('XMLHttpRequest', {preserveConsecutiveUppercase: true}), 'XMLHttpRequest');
	assert.equal(camelCase('AjaxXMLHttpRequest', {preserveConsecutiveUppercase: true}), 'ajaxXMLHttpRequest');
	assert.equal(camelCase('Ajax-XMLHttpRequest', {preserveConsecutiveUppercase: true}), 'ajaxXMLHttpRequest');
	assert.equal(camelCase([], {preserveConsecutiveUppercase: true}), '');
	assert.equal(camelCase('mGridCOl6@md', {preserveConsecutiveUppercase: true}), 'mGridCOl6@md');
	assert.equal(camelCase('A::a', {preserveConsecutiveUppercase: true}), 'a::a');
	assert.equal(camelCase('Hello1WORLD', {preserveConsecutiveUppercase: true}), 'hello1WORLD');
	assert.equal(camelCase('Hello11WORLD', {preserveConsecutiveUppercase: true}), 'hello11WORLD');
	assert.equal(camelCase('РозовыйПушистыйFOOдинорогиf', {preserveConsecutiveUppercase: true}), 'розовыйПушистыйFOOдинорогиf');
	assert.equal(camelCase('桑德在这里。', {preserveConsecutiveUppercase: true}), '桑德在这里。');
	assert.equal(camelCase('桑德_在这里。', {preserveConsecutiveUppercase: true}), '桑德在这里。');
	assert.equal(camelCase('IDs', {preserveConsecutiveUppercase: true}), 'iDs');
	assert.equal(camelCase('FooIDs', {preserveConsecutiveUppercase: true}), 'fooIDs');
});

test('camelCase with both pascalCase and preserveConsecutiveUppercase option', () => {
	assert.equal(camelCase('foo-BAR', {pascalCase: true, preserveConsecutiveUppercase: true}), 'FooBAR');
	assert.equal(camelCase('fooBAR', {pascalCase: true, preserveConsecutiveUppercase: true}), 'FooBAR');
	assert.equal(camelCase('fooBaR', {pascalCase: true, preserveConsecutiveUppercase: true}), 'FooBaR');
	assert.equal(camelCase('fOÈ-BAR', {pascalCase: true, preserveConsecutiveUppercase: true}), 'FOÈBAR');
	assert.equal(camelCase('--foo.BAR', {pascalCase: true, preserveConsecutiveUppercase: true}), 'FooBAR');
	assert.equal(camelCase(['Foo', 'BAR'], {pascalCase: true, preserveConsecutiveUppercase: true}), 'FooBAR');
	assert.equal(camelCase(['foo', '-BAR'], {pascalCase: true, preserveConsecutiveUppercase: true}), 'FooBAR');
	assert.equal(camelCase(['foo', '-BAR', 'baz'], {pascalCase: true, preserveConsecutiveUppercase: true}), 'FooBARBaz');
	assert.equal(camelCase(['', ''], {pascalCase: true, preserveConsecutiveUppercase: true}), '');
	assert.equal(camelCase('--', {pascalCase: true, preserveConsecutiveUppercase: true}), '');
	assert.equal(camelCase('', {pascalCase: true, preserveConsecutiveUppercase: true}), '');
	assert.equal(camelCase('--__--_--_', {pascalCase: true, preserveConsecutiveUppercase: true}), '');
	assert.equal(camelCase(['---_', '--', '', '-_- '], {pascalCase: true, preserveConsecutiveUppercase: true}), '');
	assert.equal(camelCase('foo BAR?', {pascalCase: true, preserveConsecutiveUppercase: true}), 'FooBAR?');
	assert.equal(camelCase('foo BAR!', {pascalCase: true, preserveConsecutiveUppercase: true}), 'FooBAR!');
	assert.equal(camelCase('Foo BAR$', {pascalCase: true, preserveConsecutiveUppercase: true}), 'FooBAR$');
	assert.equal(camelCase('foo-BAR#', {pascalCase: true, preserveConsecutiveUppercase: true}), 'FooBAR#');
	assert.equal(camelCase('xMLHttpRequest', {pascalCase: true, preserveConsecutiveUppercase: true}), 'XMLHttpRequest');
	assert.equal(camelCase('ajaxXMLHttpRequest', {pascalCase: true, preserveConsecutiveUppercase: true}), 'AjaxXMLHttpRequest');
	assert.equal(camelCase('Ajax-XMLHttpRequest', {pascalCase: true, preserveConsecutiveUppercase: true}), 'AjaxXMLHttpRequest');
	assert.equal(camelCase([], {pascalCase: true, preserveConsecutiveUppercase: true}), '');
	assert.equal(camelCase('mGridCOl6@md', {pascalCase: true, preserveConsecutiveUppercase: true}), 'MGridCOl6@md');
	assert.equal(camelCase('A::a', {pascalCase: true, preserveConsecutiveUppercase: true}), 'A::a');
	assert.equal(camelCase('Hello1WORLD', {pascalCase: true, preserveConsecutiveUppercase: true}), 'Hello1WORLD');
	assert.equal(camelCase('Hello11WORLD', {pascalCase: true, preserveConsecutiveUppercase: true}), 'Hello11WORLD');
	assert.equal(camelCase('pозовыйПушистыйFOOдинорогиf', {pascalCase: true, preserveConsecutiveUppercase: true}), 'PозовыйПушистыйFOOдинорогиf');
	assert.equal(camelCase('桑德在这里。', {pascalCase: true, preserveConsecutiveUppercase: true}), '桑德在这里。');
	assert.equal(camelCase('桑德_在这里。', {pascalCase: true, preserveConsecutiveUppercase: true}), '桑德在这里。');
});

test('camelCase with locale option', () => {
	assert.equal(camelCase('lorem-ipsum', {locale: 'tr-TR'}), 'loremİpsum');
	assert.equal(camelCase('lorem-ipsum', {locale: 'en-EN'}), 'loremIpsum');
	assert.equal(camelCase('lorem-ipsum', {locale: ['tr', 'TR', 'tr-TR']}), 'loremİpsum');
	assert.equal(camelCase('lorem-ipsum', {locale: ['en-EN', 'en-GB']}), 'loremIpsum');
	assert.equal(camelCase('ipsum-dolor', {pascalCase: true, locale: 'tr-TR'}), 'İpsumDolor');
	assert.equal(camelCase('ipsum-dolor', {pascalCase: true, locale: 'en-EN'}), 'IpsumDolor');
	assert.equal(camelCase('ipsum-dolor', {pascalCase: true, locale: ['tr', 'TR', 'tr-TR']}), 'İpsumDolor');
	assert.equal(camelCase('ipsum-dolor', {pascalCase: true, locale: ['en-EN', 'en-GB']}), 'IpsumDolor');
});

test('camelCase with disabled locale', () => {
	withLocaleCaseFunctionsMocked(() => {
		assert.equal(camelCase('lorem-ipsum', {locale: false}), 'loremIpsum');
		assert.equal(camelCase('ipsum-dolor', {pascalCase: true, locale: false}), 'IpsumDolor');
		assert.equal(camelCase('ipsum-DOLOR', {pascalCase: true, locale: false, preserveConsecutiveUppercase: true}), 'IpsumDOLOR');
	});
});

test('invalid input', () => {
	assert.throws(() => {
		camelCase(1);
	}, {
		message: /Expected the input to be/,
	});
});

/* eslint-disable no-extend-native */
const withLocaleCaseFunctionsMocked = fn => {
	const throwWhenBeingCalled = () => {
		throw new Error('Should not be called');
	};

	const toLocaleUpperCase = Object.getOwnPropertyDescriptor(String.prototype, 'toLocaleUpperCase');
	const toLocaleLowerCase = Object.getOwnPropertyDescriptor(String.prototype, 'toLocaleLowerCase');

	Object.defineProperty(String.prototype, 'toLocaleUpperCase', {
		...toLocaleUpperCase,
		value: throwWhenBeingCalled,
	});
	Object.defineProperty(String.prototype, 'toLocaleLowerCase', {
		...toLocaleLowerCase,
		value: throwWhenBeingCalled,
	});

	try {
		fn();
	} finally {
		Object.defineProperty(String.prototype, 'toLocaleUpperCase', toLocaleUpperCase);
		Object.defineProperty(String.prototype, 'toLocaleLowerCase', toLocaleLowerCase);
	}
};
/* eslint-enable no-extend-native */
