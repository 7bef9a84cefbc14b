import { z } from 'zod';
import { uploadDocumentOptionsSchema } from './kb-lease-options.js';

/** @internal */
export const uploadManyOptionsSchema = uploadDocumentOptionsSchema
  .omit({ fileName: true, md5: true })
  .extend({
    concurrency: z.number().int().min(1).max(256).optional(),
    manifest: z.string().min(1).optional(),
  })
  .strict();
