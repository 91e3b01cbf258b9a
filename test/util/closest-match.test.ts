import test from 'ava'
import { closestMatch } from '../../src/util/closest-match.js'

test('closest-match: a typo finds the name it was meant to be: a letter dropped, added, changed or two swapped', (t) => {
  const known = ['RunJob', 'LandTable', 'UpsertStore']
  t.is(closestMatch('RunJb', known), 'RunJob')
  t.is(closestMatch('RunJobb', known), 'RunJob')
  t.is(closestMatch('LandTabel', known), 'LandTable')
  t.is(closestMatch('runjob', known), 'RunJob')
  t.is(closestMatch('nmae', ['name', 'times']), 'name')
})

test('closest-match: a name unlike every known one suggests nothing', (t) => {
  t.is(closestMatch('x', ['RunJob', 'y']), 'y')
  t.is(closestMatch('Deploy', ['RunJob', 'LandTable']), undefined)
  t.is(closestMatch('anything', []), undefined)
})
