import { lazy } from 'react';
import type { ComponentType, LazyExoticComponent } from 'react';

/**
 * `React.lazy` for a module's named export: the page's code (and its CSS) becomes its own chunk,
 * fetched when the page is first shown. The player's route then does not download and parse the
 * admin and quality pages before it can start.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- props are checked where the component is used
export function lazyNamed<C extends ComponentType<any>>(load: () => Promise<C>): LazyExoticComponent<C> {
  return lazy(async () => ({ default: await load() }));
}
