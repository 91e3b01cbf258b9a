import { z } from 'zod'

/** Field schemas whose error says what is allowed, for config sections to share. */
export const field = {
  positiveInt: () => z.number({ error: 'expected a whole number of at least 1' }).int({ error: 'expected a whole number of at least 1' }).min(1, { error: 'expected a whole number of at least 1' }),
  nonNegativeInt: () =>
    z.number({ error: 'expected a whole number of 0 or more' }).int({ error: 'expected a whole number of 0 or more' }).min(0, { error: 'expected a whole number of 0 or more' }),
  number: (min: number) => z.number({ error: `expected a number of at least ${min}` }).min(min, { error: `expected a number of at least ${min}` }),
  string: () => z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' }),
  bool: () => z.boolean({ error: 'expected true or false' }),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `expected one of ${values.join(', ')}` }),
  port: () => z.number({ error: 'expected a port number 1-65535' }).int({ error: 'expected a port number 1-65535' }).min(1, { error: 'expected a port number 1-65535' }).max(65535, { error: 'expected a port number 1-65535' }),
}
