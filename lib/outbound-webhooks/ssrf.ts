import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { promises as dns } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

/**
 * SSRF guard for outbound webhooks in hosted mode (`SQUADRON_HOSTED=1`): a tenant's endpoint must not
 * make Squadron call its own network. Only addresses `ipaddr.js` classifies as `unicast` (public)
 * pass; loopback (127/8, ::1), link-local (169.254/16 with the cloud metadata service, fe80::/10),
 * private (10/8, 172.16/12, 192.168/16), unique-local (fc00::/7), carrier-grade NAT (100.64/10),
 * unspecified, broadcast, multicast and reserved ranges are refused. IPv4-mapped IPv6 addresses
 * (`::ffff:127.0.0.1`) are judged as the IPv4 address they carry.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === "unicast";
}

/** Whether the SSRF guard applies (hosted mode). */
export function ssrfGuardActive(): boolean {
  return env.SQUADRON_HOSTED;
}

function hostOf(url: URL): string {
  // `new URL("http://[::1]/").hostname` is "[::1]".
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/**
 * Checks, in hosted mode, that every address `url`'s host resolves to (DNS A and AAAA, or the IP
 * literal itself) is public. Call it when an endpoint is saved; deliveries check again at connect
 * time ({@link guardedLookup}), since DNS can change after saving.
 * @throws AppError `invalid_input` (field `url`) naming the refused address, or when the host does not resolve
 */
export async function assertPublicUrl(rawUrl: string): Promise<void> {
  if (!ssrfGuardActive()) return;
  const url = new URL(rawUrl);
  const host = hostOf(url);
  const addresses = isIP(host) ? [host] : await resolveAll(host);
  for (const address of addresses) {
    if (!isPublicAddress(address)) throw refused(host, address);
  }
}

async function resolveAll(host: string): Promise<string[]> {
  try {
    const found = await dns.lookup(host, { all: true, verbatim: true });
    if (found.length === 0) throw new Error("no address");
    return found.map((a) => a.address);
  } catch {
    throw new AppError("invalid_input", `The endpoint's host ${host} does not resolve.`, { issues: [{ path: "url", message: `${host} does not resolve` }] });
  }
}

function refused(host: string, address: string): AppError {
  const message =
    host === address
      ? `Endpoint URLs may not point at ${address}: loopback, link-local and private addresses are refused on this hosted service.`
      : `Endpoint URLs may not point at ${host}: it resolves to ${address}, a loopback, link-local or private address, refused on this hosted service.`;
  return new AppError("invalid_input", message, { issues: [{ path: "url", message }] });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `http.request` that refuses non-public addresses in hosted mode at connect time,
 * so a host that resolved to a public address when saved cannot be switched to an internal one
 * (DNS rebinding). The checked address is the one connected to. IP literals never reach a
 * `lookup` in Node, so {@link assertPublicUrl} runs before every request too.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "");
    const list = addresses as LookupAddress[];
    if (ssrfGuardActive()) {
      const bad = list.find((a) => !isPublicAddress(a.address));
      if (bad) return callback(Object.assign(refused(hostname, bad.address), { code: "ESSRF" }), "");
    }
    if (options.all) return callback(null, list);
    return callback(null, list[0].address, list[0].family);
  });
}
