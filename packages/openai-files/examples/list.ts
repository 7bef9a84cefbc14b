import { createFilesClient } from '@x/openai-files';

const files = createFilesClient({ baseUrl: process.env.MSTUDIO_ENDPOINT });
await files.upload(new URL('./report.txt', import.meta.url), { purpose: 'file-extract' });

// One page, newest first. Date bounds are sent in UTC+8, the service's time zone.
const page = await files.list({
  purpose: 'file-extract',
  limit: 20,
  createdAfter: new Date(Date.now() - 24 * 3600_000),
});
console.log(
  page.data.map((file) => `${file.id} ${file.filename}`),
  'more:',
  page.has_more,
);

// Or a documented string form, read as UTC+8: '20250306123000', '2025-11-12 10:10:10', '2025-11-12', '20251112'.
const older = await files.list({ createdBefore: '2025-11-12' });
console.log('before 2025-11-12:', older.data.length);
await files.close();
