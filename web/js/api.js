// The daemon's JSON, and the token the actions need (kept for this browser tab only).

const TOKEN_KEY = 'etl-scheduler-token'

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

export async function get(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } })
  return answer(response)
}

/** Posts an action with the token; the daemon refuses it without the right one. */
export async function act(action, body) {
  const token = getToken()
  const response = await fetch(`/api/actions/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  return (await answer(response)).result
}

async function answer(response) {
  let data
  try {
    data = await response.json()
  } catch {
    throw new ApiError(response.status, 'ETL_ERR_DAEMON_BAD_ANSWER', `the daemon answered HTTP ${response.status}`)
  }
  if (!response.ok) throw new ApiError(response.status, data?.error?.code, data?.error?.message ?? `HTTP ${response.status}`)
  return data
}

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token)
  else sessionStorage.removeItem(TOKEN_KEY)
}
