// Builds the page from data without ever parsing it as HTML: every string becomes a text node or an
// attribute value, so a task parameter like <img src=x onerror=alert(1)> shows as those characters.

const SVG_NS = 'http://www.w3.org/2000/svg'

/** Creates an element: h('a', { href: '#/x', class: 'y' }, 'text', child, ...). */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children)
}

/** The same for SVG elements. */
export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children)
}

function fill(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value)
    else if (name === 'href') element.setAttribute('href', safeHref(String(value)))
    else element.setAttribute(name, value === true ? '' : String(value))
  }
  append(element, children)
  return element
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue
    if (Array.isArray(child)) append(element, child)
    else if (child instanceof Node) element.append(child)
    else element.append(document.createTextNode(String(child)))
  }
}

/** Only in-page links: a data value can never become a javascript: URL. */
function safeHref(href) {
  return href.startsWith('#') || href.startsWith('/') ? href : '#'
}

/** Replaces an element's children. */
export function replace(element, ...children) {
  element.replaceChildren()
  append(element, children)
  return element
}

export function badge(status) {
  return h('span', { class: `badge s-${status}` }, status)
}

export function taskHref(id) {
  return `#/task/${encodeURIComponent(id)}`
}

export function runHref(id) {
  return `#/run/${encodeURIComponent(id)}`
}
