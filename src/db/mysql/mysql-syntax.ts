import type { SqlSyntax } from '../sql.js'

/** MySQL's syntax: `?` placeholders and backtick-quoted identifiers. */
export const mysqlSyntax: SqlSyntax = Object.freeze({
  placeholder: () => '?',
  quoteIdentifier: (name: string) => `\`${name.replace(/`/g, '``')}\``,
})
