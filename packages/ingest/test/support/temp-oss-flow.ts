import type { TempStorage } from '@x/temp-oss';
import type { IngestFlow } from '../../src/index.js';

/**
 * A flow over DashScope temporary storage, as an application wires it: upload a path, keep its `oss://` URL.
 * Temporary storage cannot be listed, so `lookup` finds nothing and a rerun uploads again (it only costs bytes).
 */
export function tempOssFlow(storage: TempStorage, model = 'qwen-vl-plus'): IngestFlow {
  return {
    name: 'oss',
    async upload(source, { options, signal }) {
      const { url, sizeBytes } = await storage.upload(source, {
        model: typeof options.model === 'string' ? options.model : model,
        signal,
      });
      return { id: url, status: 'uploaded', sizeBytes };
    },
    async lookup() {
      return undefined;
    },
  };
}
