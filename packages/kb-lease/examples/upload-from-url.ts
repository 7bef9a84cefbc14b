// Streams a document from an http(s):// URL (a public OSS object, for example) to the service, without a local copy.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKnowledgeBaseClient } from '@x/kb-lease';

// A small web server stands in for the OSS bucket here.
const text = Buffer.from('Release notes: version 2 adds offline mode.\n');
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': text.byteLength });
  response.end(text);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/release-notes.txt`;

const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT });
const document = await client.uploadDocument(url, { originalFileUrl: url });
console.log(document.fileName, document.md5, document.status); // release-notes.txt  …  PARSE_SUCCESS
await client.close();
server.close();
