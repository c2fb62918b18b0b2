import { prefetchPlayer } from './player-prefetch';
import './styles.css';

// This entry is small on purpose: on a player link it starts the page's requests and code
// (player-prefetch.ts) while the app's own code (boot.tsx, React and the shell) is still arriving.
prefetchPlayer(window.location, () => import('./pages/PlayerPage'));
void import('./boot');
