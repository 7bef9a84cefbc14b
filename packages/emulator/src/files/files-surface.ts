import type { Surface, SurfaceContext } from '../surface.js';

/** Options of the OpenAI-compatible Files API surface. */
export interface FilesSurfaceOptions {
  /** Refuse chunked uploads with 411 `MissingContentLength`. @default false */
  readonly requireContentLength?: boolean;
}

/**
 * Creates the OpenAI-compatible Files API surface (`/compatible-mode/v1/files`).
 *
 * @example
 * const surface = createFilesSurface(context, {});
 */
export function createFilesSurface(context: SurfaceContext, options: FilesSurfaceOptions = {}): Surface {
  void context;
  void options;
  return {
    name: 'files',
    match: () => undefined,
    handle: async () => {},
    state: { files: [] },
  };
}
