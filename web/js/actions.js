import { act, getToken, setToken } from './api.js'
import { h } from './dom.js'

/**
 * The action buttons of a page. Without a token configured on the daemon they are disabled and the
 * panel says how to enable them; with one, the person enters it once per tab.
 */
export function actionPanel(ctx, buttons) {
  const enabled = ctx.summary?.actionsEnabled
  const panel = h('div', { class: 'actions' })
  if (!enabled) {
    panel.append(
      h(
        'span',
        { class: 'muted', 'data-testid': 'actions-disabled' },
        'Actions are disabled: the daemon has no token. Set ETL_SCHEDULER_TOKEN (or scheduler.token in etl.config.json) and restart it.',
      ),
    )
  } else {
    const input = h('input', { type: 'password', placeholder: 'action token', value: getToken(), autocomplete: 'off', 'aria-label': 'action token' })
    // Kept as it is typed, so a page drawn again (after an action, a manual refresh) shows it.
    input.addEventListener('input', () => setToken(input.value.trim()))
    panel.append(input)
  }
  for (const button of buttons) {
    panel.append(
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          disabled: !enabled,
          title: button.title,
          onclick: async () => {
            const input = panel.querySelector('input[type=password]')
            if (input) setToken(input.value.trim())
            try {
              const result = await act(button.action, button.body)
              ctx.notify(button.done(result))
              await ctx.refresh()
            } catch (error) {
              ctx.notify(`${button.label} failed: ${error.message}`, true)
            }
          },
        },
        button.label,
      ),
    )
  }
  return panel
}
