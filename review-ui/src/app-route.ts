import type { ReactNode } from 'react';
import type { Role } from '@duet/protocol';

/**
 * One page of the app shell. Feature folders (e.g. `scoring/`) export lists of these so the
 * shell stays the only place that decides navigation and access, without knowing each feature.
 */
export type AppRoute = {
  /** Exact path, and the nav link's target. */
  path: string;
  label: string;
  /** Only users with this role see it (nav and page). */
  role?: Role;
  /** Users with any of these roles see it; takes precedence over `role`. */
  roles?: readonly Role[];
  /** Detail pages: matched when no exact path matches; capture groups become `params`. */
  pattern?: RegExp;
  /** Reachable by link only, not listed in the main navigation. */
  hidden?: boolean;
  render: (params: string[]) => ReactNode;
};
