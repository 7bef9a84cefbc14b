import type { Surface, SurfaceContext } from '../surface.js';

/** Options of the Bailian data API surface. */
export interface BailianSurfaceOptions {}

/** Creates the Bailian data API surface. */
export function createBailianSurface(_context: SurfaceContext, _options: BailianSurfaceOptions = {}): Surface {
  return {
    name: 'bailian',
    match: () => undefined,
    handle: async () => {},
    state: {},
  };
}
