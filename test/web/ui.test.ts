import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { chromium } from 'playwright-core'
import { build, RemoteScheduler, setLayout, startSchedulerDaemon } from 'etl'
import { Showcase } from '../fixtures/daemon/dag.js'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/daemon-helpers.js'

const CHROMIUM = '/usr/bin/chromium'
/** Date-partitioned tasks a backfill started from the page runs through the real binary. */
const BACKFILL_MODULE = fileURLToPath(new URL('../fixtures/tasks/backfill-tasks.ts', import.meta.url))
const HOSTILE = '<img src=x onerror=alert(1)>'
/** Screenshots are artifacts of the test run, in a git-ignored folder. */
const ARTIFACTS = path.resolve('test-results')

const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

test('web ui: a person filters to FAILED, opens the failed task and sees its error; markup in a parameter shows as text', async (t) => {
  await fs.access(CHROMIUM).catch(() => t.fail(`${CHROMIUM} is missing: run npm run test:setup as root (npm test does it first)`))
  const dir = await tempDir('ui')
  setLayout({ outputDir: path.join(dir, 'output'), completedDir: path.join(dir, 'completed') })
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: path.join(dir, 'state'), history: false })
  t.teardown(() => daemon.close())
  const summary = await build(new Showcase({ label: HOSTILE }), {
    scheduler: new RemoteScheduler({ url: daemon.url, retryAttempts: 3, retryWaitMs: 100 }),
    workers: 2,
    heartbeatMs: 200,
    pollIntervalMs: 20,
  })
  t.is(summary.failed.length, 1)

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: BROWSER_ARGS,
  })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  const dialogs: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  const external: string[] = []
  page.on('request', (request) => {
    if (!request.url().startsWith(daemon.url)) external.push(request.url())
  })

  await page.goto(daemon.url)
  await page.locator('[data-testid=task-table] tbody tr[data-task-id]').first().waitFor()
  await page.locator('#counts [data-status=FAILED]').click()
  // Locators, not waitForFunction: the page's CSP forbids eval, which waitForFunction's polling needs.
  const rows = page.locator('[data-testid=task-table] tbody tr[data-task-id]')
  await rows.locator('.badge').filter({ hasNotText: 'FAILED' }).first().waitFor({ state: 'detached' })
  await rows.first().waitFor()
  const failedRows = rows
  t.is(await failedRows.count(), 1)
  await failedRows.first().locator('a').click()
  await page.locator('[data-testid=error-text]').waitFor()
  t.regex((await page.locator('[data-testid=error-text]').textContent()) ?? '', /Broken\(ui\) failed on purpose[\s\S]*at /)
  t.regex((await page.locator('[data-testid=task-log]').textContent()) ?? '', /about to fail/)
  t.true(await page.locator('[data-testid=actions-disabled]').isVisible(), 'the page says why actions are disabled')
  await page.locator('[data-testid=graph]').waitFor()
  await fs.mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: path.join(ARTIFACTS, 'daemon-ui-failed-task.png'), fullPage: true })

  await page.goto(`${daemon.url}/#/tasks?q=${encodeURIComponent('onerror')}`)
  const row = page.locator('[data-testid=task-table] tbody tr[data-task-id]').first()
  await row.waitFor()
  t.is(await row.locator('td.params').textContent(), `label=${HOSTILE}`)
  t.is(await page.locator('main img').count(), 0, 'the markup was not parsed')
  await row.locator('a').click()
  await page.locator('[data-testid=task-params]').waitFor()
  t.is(await page.locator('[data-testid=task-params] li').first().textContent(), `label = ${HOSTILE}`)
  await page.screenshot({ path: path.join(ARTIFACTS, 'daemon-ui-escaped-parameter.png'), fullPage: true })
  t.deepEqual(dialogs, [], 'no script from a parameter ran')
  t.deepEqual(external, [], 'the page loads nothing from elsewhere')
})

// Serial: two browsers at once on a small shared machine make both tests slow.
test.serial('web ui: a rerun whose launch fails shows its exit code and output on the task page, not "running"', async (t) => {
  await fs.access(CHROMIUM).catch(() => t.fail(`${CHROMIUM} is missing: run npm run test:setup as root (npm test does it first)`))
  const dir = await tempDir('ui-rerun')
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: path.join(dir, 'state'), history: false, token: 'ui-token-long-enough-1234' })
  t.teardown(() => daemon.close())
  // A worker from a project whose module has since gone away registered the task, then left.
  const scheduler = new RemoteScheduler({ url: daemon.url, retryAttempts: 3, retryWaitMs: 100, workerToken: 'ui-token-long-enough-1234' })
  const task = { id: 'Touch_ui', family: 'Touch', params: { label: 'ui' }, kind: 'task' as const, deps: [], status: 'FAILED' as const, priority: 0, resources: {} }
  await scheduler.addTasks({ workerId: 'gone', tasks: [task], origin: { module: path.join(dir, 'tasks', 'gone.ts'), cwd: dir } })
  await scheduler.workerStopped({ workerId: 'gone' })
  scheduler.close()

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  await page.goto(`${daemon.url}/#/task/Touch_ui`)
  await page.locator('[data-testid=task-origin]').waitFor()
  t.regex((await page.locator('[data-testid=task-origin]').textContent()) ?? '', /gone\.ts.*in .*ui-rerun/)
  await page.locator('input[aria-label="action token"]').fill('ui-token-long-enough-1234')
  await page.getByRole('button', { name: 'Rerun in a new worker' }).click()
  await page.locator('#notice').filter({ hasText: 'Rerun started' }).waitFor()
  // The page refreshes every few seconds; the launch fails as soon as etl finds no module.
  await page.locator('[data-testid=launch-status]').filter({ hasText: 'failed' }).waitFor({ timeout: 60_000 })
  t.is(await page.locator('[data-testid=launch-exit-code]').textContent(), '5')
  t.regex((await page.locator('[data-testid=launch-output]').textContent()) ?? '', /task module .*gone\.ts does not exist/)
  t.regex((await page.locator('[data-testid=task-launch]').textContent()) ?? '', /failed before its worker registered/)
  t.regex((await page.locator('[data-testid=error-text]').textContent()) ?? '', /ended before its worker registered: the run step exited with code 5/)
  await fs.mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: path.join(ARTIFACTS, 'daemon-ui-failed-rerun.png'), fullPage: true })
})

test.serial('web ui: a task whose id is over 100 characters opens, and an address that does not decode says so instead of loading for ever', async (t) => {
  await fs.access(CHROMIUM).catch(() => t.fail(`${CHROMIUM} is missing: run npm run test:setup as root (npm test does it first)`))
  const dir = await tempDir('ui-addresses')
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: path.join(dir, 'state'), history: false })
  t.teardown(() => daemon.close())
  const id = `LoadWarehouseTable_${'orders_2024_01_31_'.repeat(10)}a1b2c3d4e5`
  const scheduler = new RemoteScheduler({ url: daemon.url, retryAttempts: 3, retryWaitMs: 100 })
  await scheduler.addTasks({ workerId: 'w1', tasks: [{ id, family: 'LoadWarehouseTable', params: { table: 'orders' }, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {} }] })
  scheduler.close()

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  await page.goto(`${daemon.url}/#/task/${encodeURIComponent(id)}`)
  await page.locator('[data-testid=task-params]').waitFor()
  t.is(await page.locator('[data-testid=task-id]').textContent(), id)

  await page.goto(`${daemon.url}/#/task/A_%E0%A4%A`)
  await page.locator('[data-testid=bad-address]').waitFor()
  t.regex((await page.locator('[data-testid=bad-address]').textContent()) ?? '', /This address does not decode: #\/task\/A_%E0%A4%A\. Go to the task list/)
  await page.locator('[data-testid=bad-address] a').click()
  await page.locator('[data-testid=task-table] tbody tr[data-task-id]').first().waitFor()
})

test.serial('web ui: a person opens a date group, starts a backfill from it, and sees its missing days run and turn DONE', async (t) => {
  await fs.access(CHROMIUM).catch(() => t.fail(`${CHROMIUM} is missing: run npm run test:setup as root (npm test does it first)`))
  const dir = await tempDir('ui-backfill')
  const project = path.join(dir, 'project')
  await fs.mkdir(project)
  const token = 'ui-backfill-token-long-enough'
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: path.join(dir, 'state'), history: false, token, scheduler: { workerTimeoutMs: 5000 } })
  t.teardown(() => daemon.close())
  const ran = async () => (await fs.readFile(path.join(project, 'runs.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean)
  // Two days already loaded through the daemon: the group the page draws, and the folder and module a backfill starts from.
  const seeded = await runCli(['backfill', 'LoadDay', '--date', '2024-01-01/2024-01-03', '--region', 'us', '--module', BACKFILL_MODULE, '--scheduler-url', daemon.url], project, { ETL_WORKER_TOKEN: token })
  t.is(seeded.code, 0, seeded.stdout + seeded.stderr)

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  await page.goto(daemon.url)
  const group = page.locator('[data-testid=task-groups] details[data-group=LoadDay]')
  await group.waitFor()
  t.regex((await group.locator('summary').textContent()) ?? '', /LoadDay \(region=us\) · date 2024-01-01 … 2024-01-02 · 2 tasks/)
  await group.locator('summary').click()
  t.deepEqual(await group.locator('.cells a.cell').allTextContents(), ['2024-01-01', '2024-01-02'])
  t.is(await group.locator('.cells a.cell.s-DONE').count(), 2)

  await group.locator('input[aria-label="action token"]').fill(token)
  await group.locator('input[aria-label=interval]').fill('2024-01-01/2024-01-06')
  await group.getByRole('button', { name: 'Backfill' }).click()
  await page.locator('#notice').filter({ hasText: 'Backfill of LoadDay over date started' }).waitFor()
  // The page refreshes every few seconds, and the group stays open across refreshes.
  await group.locator('summary').filter({ hasText: '5 tasks' }).waitFor({ timeout: 90_000 })
  await group.locator('.cells a.cell.s-DONE').nth(4).waitFor({ timeout: 90_000 })
  t.deepEqual(await group.locator('.cells a.cell').allTextContents(), ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'])
  t.is(await group.locator('input[aria-label=interval]').inputValue(), '2024-01-01/2024-01-06', 'what the person typed survives the redraws')
  t.notRegex((await group.textContent()) ?? '', /null|undefined/)
  t.deepEqual(await ran(), ['2024-01-01 us', '2024-01-02 us', '2024-01-03 us', '2024-01-04 us', '2024-01-05 us'], 'the days already done were skipped')
  await fs.mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: path.join(ARTIFACTS, 'daemon-ui-backfill-group.png'), fullPage: true })

  await group.locator('.cells a.cell', { hasText: '2024-01-04' }).click()
  await page.locator('[data-testid=task-params]').waitFor()
  t.regex((await page.locator('[data-testid=task-params]').textContent()) ?? '', /date = 2024-01-04[\s\S]*region = us/)
  await daemon.schedules.idle()
})

test.serial('web ui: a token typed slowly on a task page survives the page refreshing under it', async (t) => {
  await fs.access(CHROMIUM).catch(() => t.fail(`${CHROMIUM} is missing: run npm run test:setup as root (npm test does it first)`))
  const dir = await tempDir('ui-typing')
  const token = 'ui-typing-token-long-enough'
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: path.join(dir, 'state'), history: false, token })
  t.teardown(() => daemon.close())
  const scheduler = new RemoteScheduler({ url: daemon.url, retryAttempts: 3, retryWaitMs: 100, workerToken: token })
  await scheduler.addTasks({ workerId: 'w1', tasks: [{ id: 'Slow_1', family: 'Slow', params: { n: '1' }, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {} }] })
  scheduler.close()

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  await page.goto(`${daemon.url}/#/task/Slow_1`)
  const input = page.locator('input[aria-label="action token"]')
  await input.waitFor()
  // 27 keys 150 ms apart: about 4 s, so the page's 3 s refresh comes while the person types.
  await input.pressSequentially(token, { delay: 150 })
  t.is(await input.inputValue(), token)
  t.true(await input.evaluate((element: any) => element === element.ownerDocument.activeElement), 'the field keeps the focus')
})
