import { userInfo } from 'node:os';
import type { AdminActor } from '../admin/admin-actor';

/** The audit trail's actor for a change made from the CLI: `cli:<the operating-system user>`. */
export function cliActor(): AdminActor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // A uid with no passwd entry (some containers): the change is still recorded.
  }
  return { actor: `cli:${name}`.slice(0, 140) };
}

/** No HTTP request behind a CLI change: nothing to record of a client. */
export const CLI_CLIENT = { ip: null, userAgent: 'cli' } as const;
