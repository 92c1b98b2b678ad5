import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** A client address, canonical, and the rate-limit bucket it belongs to. */
export interface ClientAddress {
  /** The canonical address: dotted IPv4 (also for IPv4-mapped IPv6) or compressed IPv6, zone stripped. */
  readonly ip: string;
  /** The bucket: `v4:<dotted>` or `v6:<network>/<prefix>`. */
  readonly key: string;
}

const nat64 = ipaddr.IPv6.parse('64:ff9b::');

/**
 * Turns the address the host resolved into its canonical form and its rate-limit bucket, or `null`
 * when it is not a plain address (SPEC §2): IPv4 only as a canonical dotted quad (`net.isIP`, so never
 * `010.1.1.1`, `127.1` or `0x7f.1`); IPv6 as `net.isIP` accepts it, its zone id stripped; every
 * IPv4-mapped form and the NAT64 well-known prefix `64:ff9b::/96` keyed on the embedded IPv4 address;
 * any other IPv6 address keyed by its first `ipv6Prefix` bits. An embedded dotted tail is read by its
 * bits, so `::192.0.2.1` and `::c000:201` are the same address.
 */
export function clientAddressOf(raw: unknown, ipv6Prefix: number): ClientAddress | null {
  if (typeof raw !== 'string' || raw.length > 64) return null;
  const family = isIP(raw);
  if (family === 4) return { ip: raw, key: `v4:${raw}` };
  if (family !== 6) return null;
  const zone = raw.indexOf('%');
  let text = zone === -1 ? raw : raw.slice(0, zone);
  if (zone !== -1 && isIP(text) !== 6) return null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // ipaddr.js rewrites `::a.b.c.d` to the IPv4-mapped form; spell the tail in hex so the bits decide.
    const v4 = ipaddr.IPv4.parse(text.slice(lastColon + 1)).toByteArray();
    const high = ((v4[0] ?? 0) << 8) | (v4[1] ?? 0);
    const low = ((v4[2] ?? 0) << 8) | (v4[3] ?? 0);
    text = `${text.slice(0, lastColon + 1)}${high.toString(16)}:${low.toString(16)}`;
  }
  const address = ipaddr.IPv6.parse(text);
  if (address.isIPv4MappedAddress() || address.match(nat64, 96)) {
    const parts = address.parts;
    const dotted = `${(parts[6] ?? 0) >> 8}.${(parts[6] ?? 0) & 255}.${(parts[7] ?? 0) >> 8}.${(parts[7] ?? 0) & 255}`;
    return { ip: dotted, key: `v4:${dotted}` };
  }
  const bytes = address.toByteArray();
  for (let bit = ipv6Prefix; bit < 128; bit++) {
    if (bit % 8 === 0 && bit + 8 <= 128) {
      bytes[bit / 8] = 0;
      bit += 7;
    } else {
      bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) & ~(0x80 >> (bit & 7));
    }
  }
  return { ip: address.toString(), key: `v6:${ipaddr.fromByteArray(bytes).toString()}/${ipv6Prefix}` };
}
