// Which client an address stands for. An IPv6 host is usually given a whole
// /64 network and may use any of its 2^64 addresses, so per-address limits
// count the /64; an IPv4 address reached over IPv6 (::ffff:a.b.c.d) is that
// IPv4 address. Text that is not an address (a misconfigured proxy) is used
// as it is: it still names one client.
import ipaddr from 'ipaddr.js';

/** The rate-limit identity of a client address: "a.b.c.d" or "x:x:x:x::/64". */
export function addressKey(address: string): string {
  let text = address.trim();
  // "[2001:db8::1]:443" and "192.0.2.1:443", as some proxies write them.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  if (!ipaddr.isValid(text)) return text;
  const ip = ipaddr.process(text);
  if (ip.kind() === 'ipv4') return ip.toString();
  const parts = (ip as ipaddr.IPv6).parts;
  return `${new ipaddr.IPv6([...parts.slice(0, 4), 0, 0, 0, 0]).toRFC5952String()}/64`;
}
