import { param, resolveParameter } from 'etl'

/** Where the access log and the IP ranges are when nothing says otherwise. */
export const DEFAULT_WEBLOG_DIR = 'data/weblog'
/** The access log's name in the web log folder (combined log format). */
export const ACCESS_LOG_FILE = 'access.log'
/** The local IP-range table's name in the web log folder: `start_ip,end_ip,country`. */
export const IP_RANGES_FILE = 'ip-ranges.csv'

/** ParseWeblog's `weblogDir`: the one setting (`tasks.ParseWeblog.weblogDir`) every step follows. */
export const WEBLOG_DIR_PARAM = param.string({
  default: DEFAULT_WEBLOG_DIR,
  description: 'folder of access.log and ip-ranges.csv; set tasks.ParseWeblog.weblogDir and every step, and etl demo, use it',
})

/**
 * The access-log folder as configured. Several steps need it (the sample data, the start of a
 * sequence, the check for new lines, the parse), and all of them read it here, so the one config
 * key moves it for all of them; a step that read a setting of its own could look in another folder.
 */
export function weblogDir(): string {
  return resolveParameter('ParseWeblog', 'weblogDir', WEBLOG_DIR_PARAM)
}
