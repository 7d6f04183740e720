import { describe, expect, it } from 'vitest';
import { Router } from './router.js';

describe('Router', () => {
  const noop = (): void => undefined;
  const router = new Router()
    .get('/images/json', noop)
    .get('/images/{name:.*}/json', noop)
    .get('/containers/{id}/json', noop)
    .post('/containers/{id}/start', noop);

  it('matches literal paths before patterns', () => {
    expect(router.match('GET', '/images/json')?.params).toEqual({});
  });
  it('lets {name:.*} span slashes, as image names do', () => {
    expect(router.match('GET', '/images/127.0.0.1:5000/a/b:tag/json')?.params).toEqual({ name: '127.0.0.1:5000/a/b:tag' });
  });
  it('keeps plain parameters to one segment and decodes them', () => {
    expect(router.match('GET', '/containers/web%201/json')?.params).toEqual({ id: 'web 1' });
    expect(router.match('GET', '/containers/a/b/json')).toBeUndefined();
  });
  it('matches by method', () => {
    expect(router.match('GET', '/containers/x/start')).toBeUndefined();
    expect(router.match('POST', '/containers/x/start')).toBeDefined();
  });
});
