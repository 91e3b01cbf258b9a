import type { z } from 'zod'

/** What is wrong with `data` by `schema`, in a line, or undefined when nothing is. */
export function shapeProblem(schema: z.ZodType, data: unknown): string | undefined {
  const parsed = schema.safeParse(data)
  if (parsed.success) return undefined
  return parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`)
    .join('; ')
}
