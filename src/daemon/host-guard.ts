import net from 'node:net'
import os from 'node:os'

/** `scheduler.allowedHosts`: names the daemon answers to besides its own; `true` answers to any. */
export type AllowedHosts = true | readonly string[]

/**
 * Whether a request's `Host` header names this daemon. A loopback-bound daemon is still reachable
 * from a browser page that points a name of its own at 127.0.0.1 (DNS rebinding); such a request
 * carries that name, so only names the daemon knows for itself are answered: IP addresses (which
 * cannot be rebound), `localhost`, this machine's host name, the address it binds, and the
 * configured `allowedHosts` (`.example.com` also allows every name under it).
 */
export function hostGuard(allowed: AllowedHosts, bindHost: string): (header: string | undefined) => boolean {
  if (allowed === true) return () => true
  const exact = new Set([os.hostname(), bindHost, ...allowed.filter((name) => !name.startsWith('.'))].map((name) => name.toLowerCase()))
  const suffixes = allowed.filter((name) => name.startsWith('.')).map((name) => name.toLowerCase())
  return (header) => {
    if (!header) return false
    const name = hostName(header).toLowerCase()
    if (net.isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true
    return exact.has(name) || suffixes.some((suffix) => name.endsWith(suffix) || name === suffix.slice(1))
  }
}

/** The name of `Host: name:port` or `Host: [::1]:port`. */
function hostName(header: string): string {
  if (header.startsWith('[')) return header.slice(1, header.indexOf(']') > 0 ? header.indexOf(']') : undefined)
  const colon = header.lastIndexOf(':')
  return colon >= 0 && header.indexOf(':') === colon ? header.slice(0, colon) : header
}

/** True for an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
