import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VERSION } from '../src/index.js';

test('package exports a version', () => {
  assert.match(VERSION, /^\d+\.\d+\.\d+$/);
});
