import { describe, expect, it } from 'vitest';
import { injectScripts } from './ui-server.js';

describe('extension page script injection', () => {
  const berth = '<script src="/__berth/config.js"></script><script src="/__berth/ddclient.js"></script>';
  it('puts the config and ddClient first in <head>, before the page\'s own scripts', () => {
    expect(injectScripts('<!doctype html><html><head lang="en"><script type="module" src="./a.js"></script></head></html>'))
      .toBe(`<!doctype html><html><head lang="en">${berth}<script type="module" src="./a.js"></script></head></html>`);
  });
  it('goes after the doctype when the page has no <head>', () => {
    expect(injectScripts('<!DOCTYPE html><body><script>x()</script></body>')).toBe(`<!DOCTYPE html>${berth}<body><script>x()</script></body>`);
    expect(injectScripts('<p>hi</p>')).toBe(`${berth}<p>hi</p>`);
  });
  it('is not fooled by <header>', () => {
    expect(injectScripts('<header></header><head></head>')).toBe(`<header></header><head>${berth}</head>`);
  });
});
