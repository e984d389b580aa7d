import { isIPv4, isIPv6 } from 'node:net';
import type { Request } from 'express';

/**
 * The key a per-address limit counts under. `request.ip` honours `TRUST_PROXY`; without it, it is the
 * socket's peer. IPv6 is counted per /64: one host usually holds a whole /64 and could otherwise
 * take a fresh address for every attempt. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 address.
 */
export function clientAddressKey(request: Request): string {
  const ip = request.ip ?? request.socket?.remoteAddress ?? '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip)) return ip;
  if (isIPv6(ip)) return `${ipv6Groups(ip).slice(0, 4).join(':')}::/64`;
  return ip || 'unknown';
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded (a zone id such as `%eth0` dropped). */
function ipv6Groups(ip: string): string[] {
  const [head = '', tail] = ip.split('%')[0]!.toLowerCase().split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
