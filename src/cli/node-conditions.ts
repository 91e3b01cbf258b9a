/**
 * The export conditions this Node process resolves packages with, besides `import`, `node` and
 * `default` (always on): the user's `--conditions` / `-C`, from the command line or NODE_OPTIONS, and
 * `module-sync` where Node has `require(esm)` (20.19, 22.12 and later). Resolving a package for Node
 * with other conditions could pick another of its files, and so a second copy of it.
 */
export function nodeConditions(): string[] {
  const conditions = [...conditionsIn(process.execArgv), ...conditionsIn((process.env.NODE_OPTIONS ?? '').split(/\s+/))]
  if ((process.features as { require_module?: boolean }).require_module) conditions.push('module-sync')
  return [...new Set(conditions)]
}

function conditionsIn(args: readonly string[]): string[] {
  const found: string[] = []
  for (const [index, arg] of args.entries()) {
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(arg)
    if (inline) found.push(inline[1]!)
    else if ((arg === '--conditions' || arg === '-C') && args[index + 1]) found.push(args[index + 1]!)
  }
  return found
}
