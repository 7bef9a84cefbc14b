import { InvalidInputError } from '@x/transport';
import { describe, expect, it } from 'vitest';
import { contractContext, pdfBytes } from './contract-context.js';

const context = await contractContext();

describe('ids are checked before anything is sent', () => {
  it('FileId, CategoryId, IndexId and JobId outside the documented forms: typed errors, no request', async () => {
    const before = (await context.admin.calls()).length;
    const client = context.client();
    const path = await context.file('ids.pdf', pdfBytes('ids'));
    const attempts: [string, () => Promise<unknown>][] = [
      ['INVALID_FILE_ID', () => client.describeFile('../../datacenter/files')],
      ['INVALID_FILE_ID', () => client.deleteFile('file_1/../file_2')],
      ['INVALID_FILE_ID', () => client.updateTags('file 1', ['a'])],
      ['INVALID_FILE_ID', () => client.updateDocument('../file_1', path)],
      ['INVALID_CATEGORY_ID', () => client.deleteCategory('../default')],
      ['INVALID_CATEGORY_ID', () => client.uploadDocument(path, { categoryId: 'cate_x?MaxResults=1' })],
      ['INVALID_INDEX_ID', () => client.uploadDocument(path, { indexId: 'idx/1' })],
      ['INVALID_INDEX_ID', () => client.addDocumentsToIndex('idx 1', ['file_1'])],
      ['INVALID_FILE_ID', () => client.addDocumentsToIndex('jkurxhju6b', ['file_1', '../file_2'])],
      ['INVALID_JOB_ID', () => client.waitForIndexJob('jkurxhju6b', '../job')],
      ['INVALID_FILE_ID', () => client.createIndex({ name: 'ids', documentIds: ['file_1#x'] })],
      [
        'INVALID_INDEX_ID',
        async () => {
          for await (const _document of client.listIndexDocuments('../idx')) break;
        },
      ],
      [
        'INVALID_CATEGORY_ID',
        async () => {
          for await (const _file of client.listFiles({ categoryId: 'cate/..' })) break;
        },
      ],
    ];
    for (const [code, attempt] of attempts) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error) && error.code, String(attempt)).toBe(code);
    }
    expect((await context.admin.calls()).slice(before)).toEqual([]);
    await client.close();
  });
});
