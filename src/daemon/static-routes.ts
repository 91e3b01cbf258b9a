import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
}

interface Asset {
  body: Buffer
  type: string
  etag: string
}

/**
 * Finds the package's `web/` folder from this module, whether it runs from `src/` (tsx) or `dist/src/`.
 */
export function defaultWebDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let up = 0; up < 5; up++) {
    const candidate = path.join(dir, 'web')
    if (fs.existsSync(path.join(candidate, 'index.html'))) return candidate
    dir = path.dirname(dir)
  }
  throw new Error('the web UI folder (web/index.html) was not found next to the package')
}

/**
 * Serves the UI: `/` is `web/index.html`, `/static/<file>` any other file of `web/`. The files are read
 * once at start into memory (a handful of small files), so no request path ever reaches the file system.
 */
export async function staticRoutes(app: FastifyInstance, options: { webDir: string }): Promise<void> {
  const assets = loadAssets(options.webDir)
  const send = (asset: Asset | undefined) => async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    if (!asset) return reply.code(404).type('text/plain').send('not found')
    reply.header('etag', asset.etag).header('cache-control', 'no-cache')
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send()
    return reply.type(asset.type).send(asset.body)
  }
  app.get('/', send(assets.get('index.html')))
  app.get<{ Params: { '*': string } }>('/static/*', async (request, reply) => send(assets.get(request.params['*']))(request, reply))
}

function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>()
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else {
        const type = CONTENT_TYPES[path.extname(entry.name)]
        if (!type) continue
        const body = fs.readFileSync(full)
        const key = path.relative(root, full).split(path.sep).join('/')
        assets.set(key, { body, type, etag: `"${createHash('sha1').update(body).digest('base64url')}"` })
      }
    }
  }
  walk(root)
  return assets
}
