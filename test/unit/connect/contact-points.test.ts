import { describe, expect, it } from 'vitest';
import { parseContactPoints } from '../../../src/connect/contact-points.js';
import { InputError } from '../../../src/errors.js';

describe('parseContactPoints', () => {
  it('reads hosts with one shared port', () => {
    expect(parseContactPoints('source', '10.0.0.1:19042, 10.0.0.2:19042')).toEqual({ hosts: ['10.0.0.1', '10.0.0.2'], port: 19042 });
  });
  it('defaults to port 9042 and accepts bracketed IPv6', () => {
    expect(parseContactPoints('target', 'db.example,[::1]')).toEqual({ hosts: ['db.example', '::1'], port: 9042 });
    expect(parseContactPoints('target', '[fe80::1]:29042')).toEqual({ hosts: ['fe80::1'], port: 29042 });
  });
  it('refuses mixed ports, bad ports and empty lists with the flag named', () => {
    expect(() => parseContactPoints('source', 'a:1,b:2')).toThrow(/--source mixes ports 1, 2/);
    expect(() => parseContactPoints('source', 'a:70000')).toThrow(/--source has port 70000 out of range/);
    expect(() => parseContactPoints('target', ' , ')).toThrow(InputError);
    expect(() => parseContactPoints('target', 'a:b:c')).toThrow(/malformed contact point "a:b:c"/);
  });
});
