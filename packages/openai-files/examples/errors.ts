import {
  createFilesClient,
  HttpStatusError,
  InvalidInputError,
  RetriesExhaustedError,
} from '@x/openai-files';

const files = createFilesClient({ baseUrl: process.env.MSTUDIO_ENDPOINT });

try {
  // Refused before any byte is sent: the name says PDF, the bytes do not.
  await files.upload(new TextEncoder().encode('plain text'), {
    purpose: 'file-extract',
    fileName: 'scan.pdf',
  });
} catch (error) {
  if (!InvalidInputError.isInstance(error)) throw error;
  console.log(error.code, '-', error.message); // FILE_TYPE_MISMATCH
}

try {
  await files.retrieve('file-fe-does-not-exist');
} catch (error) {
  const status = RetriesExhaustedError.isInstance(error) ? error.cause : error;
  if (!HttpStatusError.isInstance(status)) throw error;
  console.log(status.status, status.serviceCode, status.requestId); // 404 NotFound <request id>
}
await files.close();
