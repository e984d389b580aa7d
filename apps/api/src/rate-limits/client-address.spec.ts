import { describe, expect, it } from '@jest/globals';
import type { Request } from 'express';
import { clientAddressKey } from './client-address.js';

const from = (ip: string) => ({ ip }) as Request;

describe('clientAddressKey', () => {
  it('keeps an IPv4 address, and unwraps an IPv4-mapped IPv6 one', () => {
    expect(clientAddressKey(from('203.0.113.7'))).toBe('203.0.113.7');
    expect(clientAddressKey(from('::ffff:203.0.113.7'))).toBe('203.0.113.7');
  });

  it('counts IPv6 per /64, however the address is written', () => {
    expect(clientAddressKey(from('2001:db8:aa:bb::1'))).toBe('2001:db8:aa:bb::/64');
    expect(clientAddressKey(from('2001:0db8:00aa:00bb:ffff:1:2:3'))).toBe('2001:db8:aa:bb::/64');
    expect(clientAddressKey(from('2001:db8::1'))).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey(from('::1'))).toBe('0:0:0:0::/64');
    expect(clientAddressKey(from('fe80::1%eth0'))).toBe('fe80:0:0:0::/64');
  });
});
