import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

/** One mail the server took, decoded enough to assert on. */
export interface ReceivedMail {
  /** The user who logged in to send it, if any. */
  readonly user: string | undefined
  readonly from: string
  readonly to: readonly string[]
  readonly subject: string
  /** The text body, with its transfer encoding undone. */
  readonly text: string
  /** The message as it came over the wire. */
  readonly raw: string
}

/**
 * A real SMTP server (smtp-server) on loopback that records every mail. With `users`, it takes a
 * mail only after AUTH with one of them; in clear text, as a test has no certificate to offer.
 * `deferNext(n)` answers the next `n` mails with a temporary refusal.
 */
export class SmtpTestServer {
  readonly mails: ReceivedMail[] = []
  /** Every login tried, with the password the client gave. */
  readonly logins: { user: string; password: string }[] = []
  /** Mails answered 451 (try again later), as a greylisting server answers a first attempt. */
  deferred = 0
  #deferring = 0
  readonly #server: SMTPServer

  constructor(users?: Readonly<Record<string, string>>) {
    this.#server = new SMTPServer({
      disabledCommands: users ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      allowInsecureAuth: true,
      authOptional: users === undefined,
      logger: false,
      onAuth: (auth, _session, callback) => {
        this.logins.push({ user: auth.username ?? '', password: auth.password ?? '' })
        if (users && auth.username !== undefined && users[auth.username] === auth.password) return callback(null, { user: auth.username })
        callback(new Error('Invalid username or password'))
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          if (this.#deferring > 0) {
            this.#deferring -= 1
            this.deferred += 1
            return callback(Object.assign(new Error('Greylisted, try again later'), { responseCode: 451 }))
          }
          const raw = Buffer.concat(chunks).toString('utf8')
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : ''
          this.mails.push({ user: session.user as string | undefined, from, to: session.envelope.rcptTo.map((to) => to.address), ...decode(raw), raw })
          callback()
        })
      },
    })
  }

  /** Answers the next `count` mails 451 instead of taking them. */
  deferNext(count: number): void {
    this.#deferring = count
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    return (this.#server.server.address() as AddressInfo).port
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }
}

/** The subject and text of a single-part text mail, as nodemailer writes one. */
function decode(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n')
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ')
  const body = raw.slice(split + 4)
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1] ?? ''
  const encoding = header('Content-Transfer-Encoding').toLowerCase()
  const text =
    encoding === 'quoted-printable'
      ? Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8')
      : encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : body
  return { subject: decodeWords(header('Subject')), text: text.replace(/\r\n/g, '\n') }
}

/** `=?UTF-8?Q?...?=` and `=?UTF-8?B?...?=` words of a header, as nodemailer writes non-ASCII ones. */
function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?([qb])\?([^?]*)\?=\s*/gi, (_, kind: string, text: string) =>
    kind.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
  )
}
